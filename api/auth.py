"""Authentication: a personal API token, or a web session cookie (from an e-mail or task link).

Everything that needs a person depends on `CurrentUser`; nothing else reads credentials.
"""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from api.deps import Db
from api.principal import Principal
from store import directory, sessions, tokens

SESSION_COOKIE = "regie_session"

_SIGN_IN = (
    "sign in: send 'Authorization: Bearer <token>' (create a token with `regie token create`) "
    "or open the link from your e-mail again"
)


async def current_user(request: Request, conn: Db) -> Principal:
    """Who is asking, read on the request's own connection (the route's `Db`), so a request
    costs one checkout and one transaction."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    task_scope: str | None = None
    session_id: str | None = None
    if header:
        if scheme.lower() != "bearer" or not value:
            raise _unauthorized("the Authorization header must be 'Bearer <token>'")
        found = await tokens.holder_of_token(conn, token=value)
        if found is None:
            raise _unauthorized("this token is unknown or revoked; " + _SIGN_IN)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise _unauthorized(_SIGN_IN)
        session = await sessions.session_for(conn, token=cookie)
        if session is None:
            raise _unauthorized("your session has expired; " + _SIGN_IN)
        task_scope, session_id = session.task_id, session.id
        found = await directory.staff_with_grants(conn, staff_id=session.staff_id)
    if found is None or not found[0].active:
        raise _unauthorized("this account is no longer active; ask your board's admin")
    staff, grants = found
    return Principal(
        staff_id=staff.id,
        board_id=staff.board_id,
        language=staff.language,
        grants=tuple(grants),
        task_scope=task_scope,
        session_id=session_id,
    )


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=message,
        headers={"WWW-Authenticate": "Bearer"},
    )


CurrentUser = Annotated[Principal, Depends(current_user)]
