"""The api's /metrics (Prometheus text format) and its one log line per request.

Requests are counted by route template (/api/tasks/{task_id}), never by path: paths hold ids
and tokens, and one series per incident would swamp Prometheus. The gauges (open incidents,
open, overdue and escalated tasks by step) are read from PostgreSQL when Prometheus scrapes,
so every api replica reports the same numbers: use max(), not sum(), across replicas.
"""

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Final

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response, status
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    gc_collector,
    generate_latest,
    platform_collector,
    process_collector,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.steps import Step
from notifications.messages import MessageKind
from notifications.smtp import DeliveryError
from regie.logs import ids_of, request_scope, route_of
from store.gauges import read_gauges

# The *_created series double every counter for no use on a dashboard.
disable_created_metrics()  # type: ignore[no-untyped-call]
# One registry per process: the api's metrics, not whatever else registers globally.
REGISTRY: Final = CollectorRegistry(auto_describe=True)
process_collector.ProcessCollector(registry=REGISTRY)
platform_collector.PlatformCollector(registry=REGISTRY)
gc_collector.GCCollector(registry=REGISTRY)

REQUESTS: Final = Counter(
    "regie_http_requests",
    "HTTP requests answered, by method, route template and status code",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY: Final = Histogram(
    "regie_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template",
    ["method", "route"],
    registry=REGISTRY,
)
EMAILS_SENT: Final = Counter(
    "regie_emails_sent",
    "E-mails handed to the mail server, by message kind",
    ["kind"],
    registry=REGISTRY,
)
EMAILS_FAILED: Final = Counter(
    "regie_emails_failed",
    "E-mails the mail server did not take, by message kind",
    ["kind"],
    registry=REGISTRY,
)
OPEN_INCIDENTS: Final = Gauge(
    "regie_open_incidents", "Incidents not yet closed or cancelled", registry=REGISTRY
)
OPEN_TASKS: Final = Gauge("regie_open_tasks", "Open tasks, by step", ["step"], registry=REGISTRY)
OVERDUE_TASKS: Final = Gauge(
    "regie_overdue_tasks", "Open tasks past their deadline, by step", ["step"], registry=REGISTRY
)
ESCALATED_TASKS: Final = Gauge(
    "regie_escalated_open_tasks",
    "Open tasks that were escalated at least once, by step",
    ["step"],
    registry=REGISTRY,
)
DATABASE_UP: Final = Gauge(
    "regie_metrics_database_up",
    "1 when the gauges could be read from PostgreSQL at this scrape, else 0",
    registry=REGISTRY,
)

GAUGE_TIMEOUT_SECONDS: Final = 5.0

access_log = logging.getLogger("regie.http")
router = APIRouter(include_in_schema=False)


async def count_delivery(kind: MessageKind, delivery: Awaitable[None]) -> None:
    """Awaits an e-mail delivery and counts it as sent or failed."""
    try:
        await delivery
    except DeliveryError:
        EMAILS_FAILED.labels(kind=kind.value).inc()
        raise
    EMAILS_SENT.labels(kind=kind.value).inc()


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    token = request.app.state.runtime.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "send the METRICS_TOKEN as `Authorization: Bearer <token>`",
            )
    await _read_gauges(request)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


async def _read_gauges(request: Request) -> None:
    try:
        async with asyncio.timeout(GAUGE_TIMEOUT_SECONDS):
            async with request.app.state.runtime.pool.connection() as conn:
                gauges = await read_gauges(conn, now=datetime.now(UTC))
    except Exception as error:
        # The request and e-mail counters still answer; the gauges keep their last values.
        access_log.warning("metrics gauges not read: %s", type(error).__name__)
        DATABASE_UP.set(0)
        return
    DATABASE_UP.set(1)
    OPEN_INCIDENTS.set(gauges.open_incidents)
    # Every step, zero included, so a step's series does not vanish when its last task closes.
    steps = {s.value for s in Step} | gauges.open_tasks.keys()
    for step in steps:
        OPEN_TASKS.labels(step=step).set(gauges.open_tasks.get(step, 0))
        OVERDUE_TASKS.labels(step=step).set(gauges.overdue_tasks.get(step, 0))
        ESCALATED_TASKS.labels(step=step).set(gauges.escalated_tasks.get(step, 0))


class RequestMetrics:
    """Counts and times every HTTP request, and logs one line for it: route, status, time.

    Pure ASGI (not BaseHTTPMiddleware), so the scope it sees is the one the router writes the
    matched route into.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        code = 500

        async def send_and_note(message: Message) -> None:
            nonlocal code
            if message["type"] == "http.response.start":
                code = int(message["status"])
            await send(message)

        try:
            with request_scope(scope):
                await self.app(scope, receive, send_and_note)
        finally:
            elapsed = time.perf_counter() - started
            method = str(scope.get("method", ""))
            route = route_of(scope)
            REQUESTS.labels(method=method, route=route, status=str(code)).inc()
            LATENCY.labels(method=method, route=route).observe(elapsed)
            access_log.info(
                "%s %s %d",
                method,
                route,
                code,
                extra={
                    "method": method,
                    "route": route,
                    "status": code,
                    "duration_ms": round(elapsed * 1000, 1),
                    **ids_of(scope),
                },
            )


def install(app: FastAPI) -> None:
    app.add_middleware(RequestMetrics)
    app.include_router(router)
