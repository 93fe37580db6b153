"""Errors and request guards: clear messages, the right status, and nothing changed.

- A refusal from the service or the workflow maps to 404/409/403/422 by its type.
- PostgreSQL or Temporal down: 503 with the reason, never a half-made incident.
- An image or a file anywhere, or an upload content type: 415 with the reason.
- A body over the limit: 413.
- Text no database column can hold (a NUL, half a surrogate pair): 422 (api/storable_text.py).
"""

import logging
import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from psycopg import OperationalError
from psycopg_pool import PoolTimeout
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.service import RPCError, RPCStatusCode

from api.storable_text import UNSTORABLE, body_has_unstorable_text, target_has_nul
from regie.service import Refused, Unavailable
from workflows.refusals import Refusal

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024
NO_IMAGES = "Regie never stores images; describe what was shared instead"

STATUS: dict[str, int] = {
    Refusal.unknown_task: 404,
    Refusal.not_open_yet: 409,
    Refusal.closed: 409,
    Refusal.incident_closed: 409,
    Refusal.not_assignee: 403,
    Refusal.invalid_answer: 422,
    Refusal.not_applicable_refused: 422,
}

_JSON = re.compile(r"^application/(.+\+)?json$")
# A data URI or the base64 start of a PNG, JPEG, GIF or WebP file inside a JSON body.
_EMBEDDED_IMAGE = re.compile(
    rb"data:image/|iVBORw0KGgo|/9j/4AAQ|R0lGODlh|UklGR[a-zA-Z0-9+/]{5}XRUJQ"
)


class RequestGuard:
    """Refuses files, images, oversized bodies and unstorable text before any route sees them.

    Pure ASGI (not BaseHTTPMiddleware): a GET passes straight through, and a body is read
    once, checked, and handed on to the app as it came.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if target_has_nul(scope["path"], scope["query_string"]):
            await _unprocessable(UNSTORABLE)(scope, receive, send)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        # ASCII digits only (isdigit() takes "²" too, which int() refuses); ten or more of
        # them are too large whatever they say, and int() refuses thousands of them.
        if (
            length
            and length.isascii()
            and length.isdigit()
            and (len(length) >= 10 or int(length) > MAX_BODY)
        ):
            await _too_large()(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                await _too_large()(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        refusal = _refusal(headers, body, path=scope["path"])
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _refusal(headers: Headers, body: bytes, *, path: str) -> JSONResponse | None:
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type.startswith(("image/", "video/", "multipart/")) or content_type in (
        "application/octet-stream",
        "application/pdf",
        "application/zip",
    ):
        return _unsupported(f"{NO_IMAGES}. Files cannot be uploaded to Regie.")
    if _EMBEDDED_IMAGE.search(body):
        return _unsupported(f"{NO_IMAGES}. This request contains an image.")
    json_body = bool(_JSON.match(content_type or ""))
    if body and path.startswith("/api/") and not json_body:
        return _unsupported("send JSON with 'Content-Type: application/json'. " + NO_IMAGES + ".")
    if body_has_unstorable_text(body, json_body=json_body):
        return _unprocessable(UNSTORABLE)
    return None


def _too_large() -> JSONResponse:
    return JSONResponse(
        {"detail": f"the request is larger than {MAX_BODY // 1024} KB; send less text"},
        status_code=413,
    )


def _unprocessable(message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=422)


def _unsupported(message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=415)


def install(app: FastAPI) -> None:
    app.add_middleware(RequestGuard)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.message, "code": exc.code}, status_code=STATUS.get(exc.code, 422)
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", type(exc).__name__)
        return JSONResponse(
            {"detail": "PostgreSQL is unavailable; nothing was changed. Try again in a minute."},
            status_code=503,
        )

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> JSONResponse:
        log.warning("unavailable: %s", exc)
        return JSONResponse(
            {"detail": f"{exc}; nothing was changed. Try again in a minute."}, status_code=503
        )

    @app.exception_handler(RPCError)
    async def temporal_error(request: Request, exc: RPCError) -> JSONResponse:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return JSONResponse({"detail": "this incident's workflow is gone"}, status_code=404)
        log.warning("temporal unavailable: %s", exc.status)
        return JSONResponse(
            {"detail": "Temporal is unavailable; nothing was changed. Try again in a minute."},
            status_code=503,
        )
