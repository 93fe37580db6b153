"""Pages' sign-in and CSRF: the session cookie, a redirect to /login, a token per session."""

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.auth import current_user
from api.deps import Db
from api.principal import Principal


class SignInRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


async def page_user(request: Request, conn: Db) -> Principal:
    try:
        return await current_user(request, conn)
    except HTTPException as exc:
        if exc.status_code == 401:
            raise SignInRequired(request.url.path) from None
        raise


PageUser = Annotated[Principal, Depends(page_user)]


def csrf_token(request: Request, who: Principal) -> str:
    secret = request.app.state.runtime.settings.secret_key
    subject = who.session_id or who.staff_id
    return hmac.new(secret.encode(), f"csrf:{subject}".encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, who: Principal, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, csrf_token(request, who)):
        raise HTTPException(
            403, "this form has expired or did not come from Regie; reload the page and try again"
        )
