"""Signing in on the web: an e-mail link (single use, short-lived) and the task link.

The task link (`/t/{token}`) is signed, bound to one task, its assignee and that assignment;
it stops working when the task closes or is reassigned, and it expires. It signs the assignee
in for that task only.
"""

from datetime import timedelta
from enum import Enum

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse, RedirectResponse, Response

from api.auth import SESSION_COOKIE
from api.deps import Db, Rt
from api.error_responses import THROTTLED
from api.metrics import count_delivery
from api.runtime import Runtime
from api.schemas import SignInRequest
from api.security import is_tls
from notifications.links import InvalidTaskLink, read_task_token
from notifications.messages import MessageContext, MessageKind
from notifications.render import render_message
from notifications.smtp import deliver
from store import directory, sessions, tasks, throttle
from store.directory import Conn

router = APIRouter(tags=["sign-in"])

SIGN_IN_TTL = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=12)
TASK_SESSION_TTL = timedelta(hours=2)
TASK_LINK_MAX_AGE = timedelta(days=30)
# More requests than this per address in the window are ignored (the answer is the same).
SIGN_IN_LIMIT = 5
SIGN_IN_WINDOW = timedelta(minutes=15)
# And per client IP, whatever the addresses: one machine cannot mail a whole staff list.
# Counted in PostgreSQL, so the limit holds however many API replicas there are. A school
# behind one NAT address shares it, hence more than the per-address limit.
SIGN_IN_LIMIT_PER_IP = 20
TOO_MANY = "too many sign-in links were asked for from this network; try again in 15 minutes"


class SignInOutcome(Enum):
    handled = "handled"  # mailed, or not: the address is unknown or at its own limit
    throttled = "throttled"  # this client IP is at its limit


@router.post("/auth/sign-in-link", status_code=status.HTTP_202_ACCEPTED, responses=THROTTLED)
async def request_sign_in_link(
    body: SignInRequest, rt: Rt, conn: Db, request: Request
) -> dict[str, str]:
    """Mails a sign-in link if the address belongs to someone; says the same either way.

    A client IP over its limit gets 429: that says nothing about any address.
    """
    if await send_sign_in_link(rt, conn, body.email, request=request) is SignInOutcome.throttled:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            TOO_MANY,
            headers={"Retry-After": str(int(SIGN_IN_WINDOW.total_seconds()))},
        )
    return {"status": "if this address is known to Regie, a sign-in link is on its way"}


def client_ip(request: Request) -> str:
    """The peer's address; behind a proxy, run uvicorn with --proxy-headers and
    --forwarded-allow-ips so this is the client's, not the proxy's (X-Forwarded-For from
    anyone else would let a client pick its own bucket)."""
    return request.client.host if request.client else "unknown"


async def send_sign_in_link(
    rt: Runtime, conn: Conn, email: str, *, request: Request
) -> SignInOutcome:
    client = throttle.client_hash(rt.settings.secret_key, client_ip(request))
    admitted = await throttle.admit_sign_in_request(
        conn, client=client, limit=SIGN_IN_LIMIT_PER_IP, within=SIGN_IN_WINDOW
    )
    # Committed now: the request counts even if the mail below fails.
    await conn.commit()
    if not admitted:
        return SignInOutcome.throttled
    await _mail_sign_in_link(rt, conn, email)
    return SignInOutcome.handled


async def _mail_sign_in_link(rt: Runtime, conn: Conn, email: str) -> None:

    staff = await directory.staff_by_email(conn, email=email)
    if staff is None or not staff.active:
        return
    if (
        await sessions.recent_sign_in_links(conn, staff_id=staff.id, within=SIGN_IN_WINDOW)
        >= SIGN_IN_LIMIT
    ):
        return
    token = await sessions.create_sign_in_link(conn, staff_id=staff.id, ttl=SIGN_IN_TTL)
    await conn.commit()
    message = render_message(
        MessageKind.sign_in_link,
        MessageContext(
            school_name="Regie",
            step_title="Regie",
            link=f"{rt.settings.base_url.rstrip('/')}/auth/sign-in/{token}",
        ),
        language="en" if staff.language == "en" else "nl",
    )
    await count_delivery(
        MessageKind.sign_in_link,
        deliver(rt.smtp, to=staff.email, message=message, message_id=token.split(".")[0]),
    )


@router.get("/auth/sign-in/{token}")
async def sign_in(token: str, conn: Db, request: Request) -> Response:
    staff_id = await sessions.use_sign_in_link(conn, token=token)
    if staff_id is None:
        raise HTTPException(
            401, "this sign-in link is used, expired or not valid; ask for a new one"
        )
    session = await sessions.create_session(conn, staff_id=staff_id, ttl=SESSION_TTL)
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, session, SESSION_TTL, secure=is_tls(request))
    return response


@router.get("/t/{token}")
async def task_link(token: str, rt: Rt, conn: Db, request: Request) -> Response:
    try:
        claims = read_task_token(
            rt.settings.secret_key, token, max_age_seconds=int(TASK_LINK_MAX_AGE.total_seconds())
        )
    except InvalidTaskLink as exc:
        raise HTTPException(401, str(exc)) from None
    row = await tasks.get_task(conn, task_id=claims.task_id)
    if row is None:
        raise HTTPException(404, "this task does not exist; open 'my tasks'")
    # The workflow, not the read model, knows this very moment's assignee and status: a link
    # must stop working as soon as a reassignment or an answer was accepted.
    state = await rt.service.task_state(row)
    if state is None:
        raise HTTPException(404, "this task does not exist; open 'my tasks'")
    task_status, assignee_id, assignment = state
    if assignee_id != claims.assignee_id or assignment != claims.assignment:
        raise HTTPException(403, "this task was given to a colleague; it is no longer yours")
    if task_status != "open":
        return JSONResponse(
            {"detail": f"this task is {task_status.replace('_', ' ')}; nothing left to do"},
            status_code=410,
        )
    session = await sessions.create_session(
        conn, staff_id=claims.assignee_id, ttl=TASK_SESSION_TTL, task_id=row.id
    )
    response = RedirectResponse(f"/tasks/{row.id}", status_code=303)
    set_session_cookie(response, session, TASK_SESSION_TTL, secure=is_tls(request))
    return response


def set_session_cookie(response: Response, session: str, ttl: timedelta, *, secure: bool) -> None:
    """HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site posts), and Secure
    behind TLS; plain http stays usable for `regie dev` on 127.0.0.1."""
    response.set_cookie(
        SESSION_COOKIE,
        session,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure,
    )
