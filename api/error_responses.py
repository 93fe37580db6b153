"""The error answers every API operation can give, declared so the OpenAPI schema tells the truth.

Clients (and schemathesis, which checks every answer against the schema) learn from it that a
request can be refused for a bad token (401), a role or school that does not allow it (403),
something that does not exist or is not theirs (404), a state that does not allow it yet or
any more (409), a body too large (413) or not JSON / carrying an image (415), a body that is
not valid JSON (400) or not valid for the form (422), or a server Regie needs being down (503).
"""

from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """What every refusal carries: a message that says what to do, and sometimes a code."""

    detail: str
    code: str | None = None


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class FieldErrors(BaseModel):
    """FastAPI's own answer to a request that does not fit the declared parameters or body."""

    detail: list[FieldError]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


COMMON: dict[int | str, dict[str, Any]] = {
    400: _error("The body is not valid JSON"),
    401: _error("No valid token or session"),
    403: _error("Your role or school does not allow this"),
    404: _error("It does not exist, or it is not yours to see"),
    413: _error("The request is too large"),
    415: _error("Send JSON; Regie never accepts files or images"),
    # FastAPI's field list, or Regie's own message for a refusal the service explains.
    422: {"model": FieldErrors | ErrorBody, "description": "The request is not valid"},
    503: _error("PostgreSQL or Temporal is unavailable; nothing was changed"),
}

# Operations on incidents, tasks and reviews can also meet a state that does not allow them.
STATEFUL: dict[int | str, dict[str, Any]] = {
    **COMMON,
    409: _error("The task or incident is not in a state that allows this"),
}

# Adding someone to the directory whose e-mail address it holds already.
DUPLICATE_STAFF: dict[int | str, dict[str, Any]] = {
    409: _error("Someone with this e-mail address is in the directory already"),
}

# Asking for sign-in links is limited per address and per client IP (api/routes/signin.py).
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: _error("Too many sign-in links asked for; try again in 15 minutes"),
}
