"""/metrics on the api and the worker, and the JSON log lines, during one real incident.

The stack is the real one: the Temporal dev server, PostgreSQL, the mail catcher, a worker
whose Runtime serves the SDK's Prometheus endpoint, and the api app. The support step gets a
two-second deadline so its reminder and escalation happen within the test.
"""

import asyncio
import io
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from domain.deadlines import DeadlineSettings
from domain.roles import Role
from domain.steps import Step
from notifications.catcher import MailCatcher, free_port
from regie.logs import (
    QUIET_BELOW_WARNING,
    RegieJsonFormatter,
    configure_logging,
    install_filters,
)
from regie.settings import Settings
from regie.telemetry import worker_runtime
from regie.temporal import connect
from store.db import Pool
from tests import answers
from tests.fixtures.api import Api, make_runtime, tokens_for
from tests.fixtures.world import end_all, make_world, running_worker

SUMMARY = "Naaktfoto van Zwaantje gedeeld, melding via oom-Henk-4Q"


@dataclass
class Observed:
    api: Api
    worker_metrics_url: str
    logs: io.StringIO


@pytest_asyncio.fixture
async def observed(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> AsyncIterator[Observed]:
    deadlines = DeadlineSettings().merged({Step.support: "PT2S"})
    world = await make_world(pool, deadlines=deadlines)
    address = f"127.0.0.1:{free_port()}"
    client = await connect(
        Settings(
            temporal_address=dev_env.client.service_client.config.target_host,
            temporal_namespace=dev_env.client.namespace,
        ),
        runtime=worker_runtime(address),
    )
    # Logging exactly as `regie api` and `regie worker` set it up, into a buffer.
    logs = io.StringIO()
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_BELOW_WARNING}
    handler = configure_logging(log_format="json", level="INFO", stream=logs)
    try:
        async with running_worker(client, pool, mail) as harness:
            runtime = make_runtime(pool, dev_env, mail, harness.task_queue)
            transport = httpx.ASGITransport(app=create_app(runtime))
            async with httpx.AsyncClient(transport=transport, base_url="http://regie.test") as http:
                api = Api(http, world, await tokens_for(pool, world), harness, runtime)
                yield Observed(api, f"http://{address}/metrics", logs)
            async with pool.connection() as conn:
                cur = await conn.execute(
                    "SELECT id FROM incidents WHERE board_id = %s", (world.board_id,)
                )
                await end_all(client, [str(r["id"]) for r in await cur.fetchall()])
    finally:
        root.removeHandler(handler)
        for kept in saved[0]:
            root.addHandler(kept)
        root.setLevel(saved[1])
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


def value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples called `name` whose labels include `labels`."""
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                total += sample.value
    return total


DASHBOARD = Path(__file__).parents[2] / "deploy" / "grafana" / "regie-dashboard.json"
# Counters that get their first sample when something fails or is cancelled.
ONLY_ON_FAILURE = {
    "regie_emails_failed_total",
    "regie_emails_refused_total",
    "regie_tasks_cancelled_total",
    "temporal_workflow_failed_total",
    "temporal_activity_execution_failed_total",
    "temporal_workflow_task_execution_failed_total",
}


def sample_names(text: str) -> set[str]:
    return {s.name for f in text_string_to_metric_families(text) for s in f.samples}


def dashboard_metrics() -> set[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    exprs += [v["definition"] for v in dashboard["templating"]["list"] if "definition" in v]
    return set(re.findall(r"\b(?:regie|temporal|process)_[a-z_]+", " ".join(exprs)))


async def api_metrics(o: Observed) -> str:
    response = await o.api.client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def worker_metrics(o: Observed) -> str:
    async with httpx.AsyncClient() as http:
        response = await http.get(o.worker_metrics_url)
    assert response.status_code == 200
    return response.text


async def do(api: Api, staff_id: str, kind: str, answer: dict[str, Any]) -> None:
    task = await api.my_task(staff_id, kind)
    response = await api.client.post(
        f"/api/tasks/{task['id']}/complete", json=answer, headers=api.as_(staff_id)
    )
    assert response.status_code == 200, response.text


async def until(o: Observed, name: str, at_least: float, **labels: str) -> str:
    for _ in range(100):
        text = await worker_metrics(o)
        if value(text, name, **labels) >= at_least:
            return text
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name}{labels} never reached {at_least}")


async def test_counters_move_and_logs_hold_no_personal_data(observed: Observed) -> None:
    o, api = observed, observed.api
    coordinator = api.school_staff(Role.coordinator)
    mentor = api.school_staff(Role.support)
    leader = api.school_staff(Role.school_leader)
    api_before, worker_before = await api_metrics(o), await worker_metrics(o)

    def api_delta(text: str, name: str, **labels: str) -> float:
        return value(text, name, **labels) - value(api_before, name, **labels)

    def worker_delta(text: str, name: str, **labels: str) -> float:
        return value(text, name, **labels) - value(worker_before, name, **labels)

    created = await api.client.post(
        "/api/incidents",
        json={"school_id": api.world.school.id, "summary": SUMMARY},
        headers=api.as_(coordinator),
    )
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]

    # Support's two-second deadline passes: a reminder, then the school leader is told.
    text = await until(o, "regie_tasks_escalated_total", 1, step="support", escalation_level="1")
    assert worker_delta(text, "regie_tasks_reminded_total", step="support") == 1
    assert worker_delta(text, "regie_tasks_opened_total", step="assess") == 1
    assert worker_delta(text, "regie_emails_sent_total", kind="task_escalated") == 1
    during = await api_metrics(o)
    assert value(during, "regie_overdue_tasks", step="support") >= 1
    assert value(during, "regie_escalated_open_tasks", step="support") >= 1
    assert value(during, "regie_open_incidents") >= 1
    assert value(during, "regie_metrics_database_up") == 1

    # A query string with an e-mail address and a name: neither may reach a log line.
    listed = await api.client.get(
        "/api/staff",
        params={"q": answers.VICTIM, "email": api.world.emails[mentor]},
        headers=api.as_(coordinator),
    )
    assert listed.status_code < 500

    await do(api, coordinator, "assess", answers.assess(media_risk=False))
    await do(api, mentor, "support", answers.support())
    await do(api, coordinator, "report", answers.report())
    await do(api, coordinator, "remove", answers.remove())
    confront = await api.my_task(leader, "confront")
    moved = await api.client.post(
        f"/api/tasks/{confront['id']}/reassign",
        json={"assignee_id": coordinator},
        headers=api.as_(leader),
    )
    assert moved.status_code == 200, moved.text
    await do(api, coordinator, "confront", answers.confront())
    await do(api, leader, "inform", answers.inform())
    await do(api, leader, "evaluate", answers.evaluate())
    signin = await api.client.post("/auth/sign-in-link", json={"email": api.world.emails[leader]})
    assert signin.status_code == 202, signin.text

    for _ in range(100):
        read = await api.client.get(f"/api/incidents/{incident_id}", headers=api.as_(leader))
        if read.json()["status"] == "closed":
            break
        await asyncio.sleep(0.05)
    assert read.json()["status"] == "closed"

    text = await until(o, "regie_tasks_closed_total", 1, step="evaluate", outcome="done")
    for step in ("assess", "support", "report", "remove", "confront", "inform", "evaluate"):
        assert worker_delta(text, "regie_tasks_opened_total", step=step) == 1, step
        assert worker_delta(text, "regie_tasks_closed_total", step=step, outcome="done") == 1
    assert worker_delta(text, "regie_tasks_reassigned_total", step="confront") == 1
    assert worker_delta(text, "regie_incidents_ended_total", status="closed") == 1
    assert worker_delta(text, "regie_emails_sent_total", kind="task_assigned") == 8
    assert worker_delta(text, "regie_emails_failed_total") == 0
    # The SDK's own metrics on the same endpoint, with this worker's task queue.
    queue = api.harness.task_queue
    assert value(text, "temporal_workflow_completed_total", task_queue=queue) >= 1
    assert value(text, "temporal_activity_execution_latency_seconds_count", task_queue=queue) > 0

    after = await api_metrics(o)
    assert api_delta(after, "regie_http_requests_total", route="/api/incidents", status="201") == 1
    completed = {"route": "/api/tasks/{task_id}/complete", "method": "POST", "status": "200"}
    assert api_delta(after, "regie_http_requests_total", **completed) == 7
    assert (
        api_delta(
            after,
            "regie_http_request_duration_seconds_count",
            route="/api/tasks/{task_id}/complete",
        )
        == 7
    )
    assert api_delta(after, "regie_emails_sent_total", kind="sign_in_link") == 1
    # Route templates only: no incident or task id, no token, in any label.
    assert incident_id not in after and confront["id"] not in after

    # Every metric the Grafana dashboard asks for is one of these (or only appears on failure).
    exported = sample_names(after) | sample_names(text)
    missing = dashboard_metrics() - exported - ONLY_ON_FAILURE
    assert not missing, missing

    lines = [json.loads(line) for line in o.logs.getvalue().splitlines()]
    requests = [line for line in lines if line["logger"] == "regie.http"]
    assert len(requests) >= 20
    for line in lines:
        assert {"time", "level", "logger", "message"} <= line.keys(), line
    created_line = next(
        r for r in requests if r["route"] == "/api/incidents/{incident_id}" and r["status"] == 200
    )
    assert created_line["incident_id"] == incident_id
    staff_line = next(r for r in requests if r["route"] == "/api/staff")
    assert staff_line["status"] == listed.status_code
    # The worker's events carry the ids of the activity they happened in.
    events = [line for line in lines if line["logger"] == "regie.events"]
    escalated = next(e for e in events if e["event"] == "tasks_escalated")
    assert escalated["step"] == "support" and escalated["escalation_level"] == "1"
    assert escalated["incident_id"] == incident_id
    assert escalated["workflow_id"] == f"incident-{incident_id}"
    assert escalated["activity"] == "escalate_task" and escalated["task_id"]
    assert {e["event"] for e in events} >= {
        "tasks_opened", "tasks_closed", "tasks_reassigned", "tasks_reminded", "emails_sent"
    }  # fmt: skip

    written = o.logs.getvalue()
    secrets = [
        answers.VICTIM,
        answers.SPREADER,
        answers.SECRET_NOTE,
        answers.GROUP_NAME,
        "Zwaantje",
        "oom-Henk-4Q",
        *api.world.emails.values(),
        "@school.test",
        "@board.test",
        "?",
    ]
    leaked = [secret for secret in secrets if secret in written]
    assert not leaked, leaked


async def test_metrics_can_require_a_token(observed: Observed) -> None:
    runtime = observed.api.runtime
    guarded = replace(
        runtime, settings=runtime.settings.model_copy(update={"metrics_token": "t0ken-42"})
    )
    transport = httpx.ASGITransport(app=create_app(guarded))
    async with httpx.AsyncClient(transport=transport, base_url="http://regie.test") as http:
        refused = await http.get("/metrics")
        assert refused.status_code == 401
        assert "METRICS_TOKEN" in refused.json()["detail"]
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        allowed = await http.get("/metrics", headers={"Authorization": "Bearer t0ken-42"})
        assert allowed.status_code == 200 and "regie_open_incidents" in allowed.text


def test_uvicorn_access_lines_lose_query_string_and_client() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(RegieJsonFormatter())
    install_filters(handler)
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        secret = f"pupil-{uuid.uuid4().hex[:6]}@school.test"
        access.info(
            '%s - "%s %s HTTP/%s" %d', "10.9.8.7:5151", "GET", f"/api/staff?q={secret}", "1.1", 200
        )
    finally:
        access.removeHandler(handler)
    line = json.loads(out.getvalue())
    assert line["message"] == '- - "GET /api/staff HTTP/1.1" 200'
    assert line["logger"] == "uvicorn.access" and line["level"] == "INFO"


def test_email_addresses_are_masked_in_messages_and_exceptions() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(RegieJsonFormatter())
    log = logging.getLogger("tests.observability.masking")
    log.addHandler(handler)
    log.propagate = False
    try:
        try:
            raise ValueError("Key (email)=(j.de.vries@school.test) already exists.")
        except ValueError:
            log.exception(
                "insert failed for %s at %s",
                "a.b@c.nl",
                "/x?to=p.q%40q.nl",
                extra={"who": "x.y@z.org"},
            )
    finally:
        log.removeHandler(handler)
    written = out.getvalue()
    assert "@school.test" not in written and "a.b@c.nl" not in written
    assert "p.q%40q.nl" not in written
    assert "x.y@z.org" not in written
    line = json.loads(written)
    assert line["message"] == "insert failed for <e-mail> at /x?to=<e-mail>"
    assert "Key (email)=(<e-mail>) already exists." in line["exc_info"]
