"""Single sign-on: /login/oidc starts at the provider, /login/oidc/callback signs the person in.

Signed in is an active staff member with at least one role whose e-mail address (compared
without case, as the staff table's unique index does) the provider vouches for: they get the
same session, cookie and lifetime as from an e-mail link, and like that link nothing else is
written. Anyone else gets a page saying what to do, and no session. Off (404) unless the
OIDC_* settings are set. The pages are HTML whatever the outcome: a person's browser is here.
"""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import Db, Rt
from api.openid import (
    CALLBACK_PATH,
    FLOW_COOKIE,
    FLOW_PATH,
    FLOW_TTL,
    Provider,
    Refusal,
    SignInRefused,
    open_flow,
    seal_flow,
)
from api.routes.signin import SESSION_TTL, set_session_cookie
from api.runtime import Runtime
from api.security import is_tls
from api.web.i18n import Lang, t
from api.web.templating import language, render
from regie.settings import Settings
from store import directory, sessions
from store.directory import Conn

router = APIRouter(include_in_schema=False)

STATUS = {
    Refusal.flow_lost: 400,
    Refusal.provider_said_no: 401,
    Refusal.not_confirmed: 401,
    Refusal.unavailable: 502,
    Refusal.no_verified_email: 403,
    Refusal.unknown_person: 403,
}


def sso_button(settings: Settings, lang: Lang) -> str | None:
    """The sign-in page's button text, or None when single sign-on is off."""
    if not settings.oidc_enabled:
        return None
    name = settings.oidc_display_name or t("sso_school_account", lang)
    return t("sso_sign_in_with", lang).format(provider=name)


def _provider(request: Request, rt: Runtime) -> Provider:
    if not rt.settings.oidc_enabled:
        raise HTTPException(404, "single sign-on is not set up here; ask for a link by e-mail")
    provider: Provider | None = getattr(request.app.state, "oidc_provider", None)
    if provider is None:
        provider = Provider(rt.settings)
        request.app.state.oidc_provider = provider
    return provider


def _redirect_uri(rt: Runtime) -> str:
    return rt.settings.base_url.rstrip("/") + CALLBACK_PATH


@router.get(FLOW_PATH)
async def start(request: Request, rt: Rt, next: str = "/") -> Response:
    provider = _provider(request, rt)
    try:
        url, flow = await provider.start(redirect_uri=_redirect_uri(rt), next_path=next)
    except SignInRefused as refused:
        return _refused(request, rt, refused.refusal)
    response = RedirectResponse(url, status_code=303)
    # Lax: the provider's redirect back is a top-level GET, so the cookie comes along.
    response.set_cookie(
        FLOW_COOKIE,
        seal_flow(rt.settings, flow),
        max_age=int(FLOW_TTL.total_seconds()),
        path=FLOW_PATH,
        httponly=True,
        samesite="lax",
        secure=is_tls(request),
    )
    return response


@router.get(CALLBACK_PATH)
async def callback(
    request: Request,
    rt: Rt,
    conn: Db,
    state: str | None = None,
    code: str | None = None,
    error: str | None = None,
    iss: str | None = None,
) -> Response:
    provider = _provider(request, rt)
    if state is None and code is None and error is None:
        # Not the provider's answer: the language link of a refusal page, or a bookmark.
        lang = request.query_params.get("lang")
        return RedirectResponse(
            "/login" + (f"?lang={lang}" if lang in ("nl", "en") else ""), status_code=303
        )
    response: Response
    try:
        flow = open_flow(rt.settings, request.cookies.get(FLOW_COOKIE), returned_state=state)
        if error is not None:
            raise SignInRefused(Refusal.provider_said_no)
        email = await provider.confirmed_email(
            flow, redirect_uri=_redirect_uri(rt), code=code, returned_issuer=iss
        )
    except SignInRefused as refused:
        response = _refused(request, rt, refused.refusal)
    else:
        staff_id = await _staff_with_a_role(conn, email)
        if staff_id is None:
            response = _refused(request, rt, Refusal.unknown_person, email=email)
        else:
            session = await sessions.create_session(conn, staff_id=staff_id, ttl=SESSION_TTL)
            response = RedirectResponse(flow.next_path, status_code=303)
            set_session_cookie(response, session, SESSION_TTL, secure=is_tls(request))
    # Spent either way: a second callback with the same state finds nothing.
    response.delete_cookie(
        FLOW_COOKIE, path=FLOW_PATH, httponly=True, samesite="lax", secure=is_tls(request)
    )
    return response


async def _staff_with_a_role(conn: Conn, email: str) -> str | None:
    staff = await directory.staff_by_email(conn, email=email)
    if staff is None or not staff.active:
        return None
    if not await directory.grants_of(conn, staff_id=staff.id):
        return None
    return staff.id


def _refused(
    request: Request, rt: Runtime, refusal: Refusal, *, email: str | None = None
) -> Response:
    lang = language(request)
    provider = rt.settings.oidc_display_name or t("sso_provider_fallback", lang)
    return render(
        request,
        "sso_refused.html",
        lang=lang,
        status_code=STATUS[refusal],
        user=None,
        csrf="",
        message=t(f"sso_{refusal.value}", lang).format(provider=provider),
        email=email,
    )
