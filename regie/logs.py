"""Process logging: one JSON object per line in production, readable lines in `regie dev`.

Logs carry ids (incident, task, workflow), steps and counts, never personal data. Regie's own
log calls keep to that; three guards catch what other code might let through:
- every log line is added the ids of where it was written (the activity being run, the
  request's route and id path parameters), so nobody needs to log more to find a line again;
- uvicorn's access log, if someone turns it on, loses its query string and client address
  (a sign-in or task token, an e-mail address in a search: both may be in a query string);
- any e-mail address in a message, an exception or a field is masked before it is written
  (database errors, for one, quote the row that broke a constraint).
Names cannot be recognised by a pattern; that guard is that no code logs free text.
Libraries that log URLs or recipients at INFO (httpx, the dev mail catcher) log warnings only.
"""

import logging
import re
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final, Literal

from pythonjsonlogger.json import JsonFormatter
from temporalio import activity

LogFormat = Literal["json", "text"]

# The ASGI scope of the request being handled. Starlette's router writes the matched route and
# its path parameters into this same mapping, so a line logged by a handler can name them.
_request_scope: ContextVar[Mapping[str, Any] | None] = ContextVar("regie_request", default=None)

# Also percent-encoded (%40), as an address appears in a URL.
_EMAIL: Final = re.compile(r"[\w.+'-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")
_MASK: Final = "<e-mail>"

# Loggers whose INFO lines hold whole URLs (query strings included) or e-mail recipients.
QUIET_BELOW_WARNING: Final = ("httpx", "httpcore", "mail.log")

# Incident workflows are named incident-<incident id> (workflows.contracts).
_INCIDENT_WORKFLOW: Final = "incident-"


@contextmanager
def request_scope(scope: MutableMapping[str, Any]) -> Iterator[None]:
    token = _request_scope.set(scope)
    try:
        yield
    finally:
        _request_scope.reset(token)


def route_of(scope: Mapping[str, Any]) -> str:
    """The matched route's template (/api/tasks/{task_id}), never the path with its ids."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


def ids_of(scope: Mapping[str, Any]) -> dict[str, str]:
    """Path parameters that are ids (incident_id, task_id, ...); tokens are left out."""
    params = scope.get("path_params") or {}
    return {k: str(v) for k, v in params.items() if k.endswith("_id")}


class ContextFilter(logging.Filter):
    """Adds the ids of the activity or request a line was logged in."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            info = activity.info()
        except RuntimeError:
            info = None
        if info is not None:
            workflow_id = info.workflow_id or ""
            record.workflow_id = workflow_id
            record.activity = info.activity_type
            if workflow_id.startswith(_INCIDENT_WORKFLOW):
                record.incident_id = workflow_id.removeprefix(_INCIDENT_WORKFLOW)
        scope = _request_scope.get()
        if scope is not None:
            record.route = route_of(scope)
            for key, value in ids_of(scope).items():
                setattr(record, key, value)
        return True


class AccessLogFilter(logging.Filter):
    """uvicorn.access records: drop the query string and the client's address."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            _client, method, path, version, status = args
            record.args = ("-", method, str(path).split("?", 1)[0], version, status)
        return True


def mask_emails(value: Any) -> Any:
    if isinstance(value, str):
        return _EMAIL.sub(_MASK, value)
    if isinstance(value, dict):
        return {k: mask_emails(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_emails(v) for v in value]
    return value


class RegieJsonFormatter(JsonFormatter):
    """time, level, logger, message, then the ids and fields the line was given."""

    def __init__(self) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            timestamp="time",
            rename_fields={"levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # uvicorn repeats its message with terminal colour codes for its own formatter.
        log_data.pop("color_message", None)
        ordered = {"time": log_data.pop("time", None), **log_data}
        masked: dict[str, Any] = mask_emails(ordered)
        return masked


class MaskingTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _EMAIL.sub(_MASK, super().format(record))


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the moment of writing, not when it was made: a
    command run inside a test runner that swaps and closes stderr must not log into a closed
    stream afterwards."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(
    *, log_format: LogFormat = "json", level: str = "INFO", stream: Any = None
) -> logging.Handler:
    """Replaces the root logger's handlers with one that writes `log_format` to `stream`."""
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(
        RegieJsonFormatter()
        if log_format == "json"
        else MaskingTextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    install_filters(handler)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET_BELOW_WARNING:
        logging.getLogger(name).setLevel(logging.WARNING)
    # uvicorn's loggers write through the root handler, in the same format.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    return handler


def install_filters(handler: logging.Handler) -> None:
    """The context and privacy filters, on a handler someone else made (tests capture logs)."""
    handler.addFilter(ContextFilter())
    # A filter on the logger, not the handler: it must run before any handler formats the line.
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogFilter) for f in access.filters):
        access.addFilter(AccessLogFilter())
