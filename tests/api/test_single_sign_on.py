"""Single sign-on against a real OpenID provider (`oidc-provider` on Node.js, see
tests/fixtures/openid_provider.py): the browser is an httpx client that keeps cookies and
walks the provider's own login and consent pages; Regie runs in-process over the real
PostgreSQL and talks to the provider over HTTP for discovery, keys, the code and userinfo.
"""

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr, ValidationError
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.auth import SESSION_COOKIE
from api.openid import FLOW_COOKIE, open_flow, safe_next, seal_flow
from api.runtime import Runtime
from domain.roles import Role
from notifications.catcher import MailCatcher
from notifications.smtp import SmtpSettings
from regie.settings import Settings
from store import directory
from store.db import Pool
from tests.fixtures.openid_provider import OpenIdProvider
from tests.fixtures.world import BASE_URL, SECRET, World, make_world

CALLBACK = f"{BASE_URL}/login/oidc/callback"
HTML = {"accept": "text/html"}


class _Form(HTMLParser):
    """The first POST form of a provider page: its action and its hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and self.action is None and found.get("method") == "post":
            self.action, self._inside = found.get("action") or "", True
        elif tag == "input" and self._inside and found.get("type") == "hidden":
            self.fields[found.get("name") or ""] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


@dataclass
class Sso:
    world: World
    provider: OpenIdProvider
    runtime: Runtime
    app: FastAPI

    def browser(self) -> httpx.AsyncClient:
        """A fresh browser: Regie in-process, every other host over the network."""
        return httpx.AsyncClient(
            mounts={BASE_URL: httpx.ASGITransport(app=self.app)},
            base_url=BASE_URL,
            headers=HTML,
            timeout=10,
        )

    async def sessions_of(self, staff_id: str) -> int:
        async with self.runtime.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT count(*) AS n FROM sessions WHERE staff_id = %s", (staff_id,)
            )
            row = await cur.fetchone()
        assert row is not None
        return int(row["n"])

    async def all_sessions(self) -> int:
        async with self.runtime.pool.connection() as conn:
            cur = await conn.execute("SELECT count(*) AS n FROM sessions")
            row = await cur.fetchone()
        assert row is not None
        return int(row["n"])


def regie_settings(provider: OpenIdProvider | None, mail: MailCatcher, **extra: str) -> Settings:
    oidc: dict[str, object] = {}
    if provider is not None:
        oidc = {
            "oidc_issuer": provider.issuer,
            "oidc_client_id": provider.client_id,
            "oidc_client_secret": SecretStr(provider.client_secret),
            "oidc_display_name": "Testprovider",
        }
    return Settings(base_url=BASE_URL, secret_key=SECRET, smtp_url=mail.url, **oidc, **extra)  # type: ignore[arg-type]


async def make_sso(
    provider: OpenIdProvider, pool: Pool, env: WorkflowEnvironment, mail: MailCatcher
) -> Sso:
    world = await make_world(pool)
    runtime = Runtime(
        settings=regie_settings(provider, mail),
        pool=pool,
        temporal=env.client,
        smtp=SmtpSettings.from_url(mail.url),
    )
    return Sso(world, provider, runtime, create_app(runtime))


@pytest_asyncio.fixture
async def sso(
    openid_provider: OpenIdProvider, pool: Pool, dev_env: WorkflowEnvironment, mail: MailCatcher
) -> AsyncIterator[Sso]:
    yield await make_sso(openid_provider, pool, dev_env, mail)


async def through_provider(
    browser: httpx.AsyncClient, provider: OpenIdProvider, login: str, start: str
) -> httpx.URL:
    """Follows Regie's start to the provider, signs in there as `login`, consents, and
    returns the callback URL the provider sends the browser back to (not yet opened)."""
    response = await browser.get(start)
    for _ in range(12):
        if response.is_redirect:
            target = httpx.URL(urljoin(str(response.url), response.headers["location"]))
            if str(target).startswith(CALLBACK):
                return target
            response = await browser.get(target)
            continue
        assert response.status_code == 200, response.text
        assert str(response.url).startswith(provider.issuer), response.url
        form = _Form()
        form.feed(response.text)
        assert form.action is not None, response.text
        data = dict(form.fields)
        if data.get("prompt") == "login":
            data |= {"login": login, "password": "any"}
        response = await browser.post(urljoin(str(response.url), form.action), data=data)
    raise AssertionError("the provider did not send the browser back to Regie")


@pytest.mark.parametrize(
    ("claims_in", "role", "next_path"),
    [("id_token", Role.board_safeguarding, "/board"), ("userinfo", Role.coordinator, "/")],
)
async def test_staff_member_signs_in_through_the_provider_with_their_roles(
    request: pytest.FixtureRequest,
    pool: Pool,
    dev_env: WorkflowEnvironment,
    mail: MailCatcher,
    claims_in: str,
    role: Role,
    next_path: str,
) -> None:
    provider: OpenIdProvider = request.getfixturevalue(
        "openid_provider" if claims_in == "id_token" else "openid_provider_userinfo"
    )
    sso = await make_sso(provider, pool, dev_env, mail)
    world = sso.world
    staff_id = world.board_staff.get(role) or world.school.staff[role]
    # The provider's address differs in case from Regie's: matched as the unique index is.
    provider.add_account(f"p-{staff_id}", email=world.emails[staff_id].upper())

    async with sso.browser() as browser:
        login_page = await browser.get("/login")
        assert "Inloggen met Testprovider" in login_page.text
        assert "/login/oidc?next=" in login_page.text
        english = await browser.get("/login?lang=en")
        assert "Sign in with Testprovider" in english.text

        callback = await through_provider(
            browser, provider, f"p-{staff_id}", f"/login/oidc?next={next_path}"
        )
        query = parse_qs(callback.query.decode())
        assert query["code"] and query["state"] and query["iss"] == [provider.issuer]
        landed = await browser.get(callback, follow_redirects=True)
        assert landed.status_code == 200, landed.text
        assert landed.url.path == next_path
        assert SESSION_COOKIE in browser.cookies
        assert FLOW_COOKIE not in browser.cookies  # spent

        # The session is the person's, with their roles: a board role sees every school and
        # the board page; a school role sees its own school only and no board page.
        schools = await browser.get("/api/schools")
        assert schools.status_code == 200
        board_page = await browser.get("/board")
        if role is Role.board_safeguarding:
            assert len(schools.json()) == len(world.schools)
            assert board_page.status_code == 200
        else:
            assert [s["id"] for s in schools.json()] == [world.school.id]
            assert board_page.status_code == 403
    assert await sso.sessions_of(staff_id) == 1


@pytest.mark.parametrize("who", ["unknown", "no_role", "inactive", "unverified"])
async def test_someone_without_a_role_is_refused_and_gets_no_session(sso: Sso, who: str) -> None:
    world, provider = sso.world, sso.provider
    email = f"{who}.{world.tag}@school.test"
    staff_id: str | None = None
    if who in ("no_role", "inactive", "unverified"):
        async with sso.runtime.pool.connection() as conn:
            staff_id = await directory.create_staff(
                conn, board_id=world.board_id, name=who, email=email
            )
            if who != "no_role":
                await directory.grant_role(
                    conn, staff_id=staff_id, role=Role.coordinator, school_id=world.school.id
                )
            if who == "inactive":
                await conn.execute("UPDATE staff SET active = false WHERE id = %s", (staff_id,))
    provider.add_account(f"p-{who}-{world.tag}", email=email, email_verified=who != "unverified")
    before = await sso.all_sessions()

    async with sso.browser() as browser:
        callback = await through_provider(browser, provider, f"p-{who}-{world.tag}", "/login/oidc")
        refused = await browser.get(callback, follow_redirects=True)
        assert SESSION_COOKIE not in browser.cookies
        assert FLOW_COOKIE not in browser.cookies
        home = await browser.get("/")
        assert home.status_code == 303 and home.headers["location"].startswith("/login")

    assert refused.status_code == 403
    assert 'lang="nl"' in refused.text
    if who == "unverified":
        assert "geen bevestigd e-mailadres" in refused.text
    else:
        assert "Regie heeft geen rol voor dit account" in refused.text
        assert "functioneel beheerder" in refused.text
        assert email in refused.text  # so they can see which account they used
    assert await sso.all_sessions() == before
    if staff_id is not None:
        assert await sso.sessions_of(staff_id) == 0


async def test_the_refusal_reads_in_english_for_an_english_browser(sso: Sso) -> None:
    email = f"stranger.{sso.world.tag}@elsewhere.test"
    sso.provider.add_account(f"p-en-{sso.world.tag}", email=email)
    async with sso.browser() as browser:
        await browser.get("/login?lang=en")  # the language choice is a cookie
        callback = await through_provider(
            browser, sso.provider, f"p-en-{sso.world.tag}", "/login/oidc"
        )
        refused = await browser.get(callback)
        # The page's language link leads back to the sign-in page in that language.
        switched = await browser.get("/login/oidc/callback?lang=nl")
    assert refused.status_code == 403
    assert "Regie has no role for this account" in refused.text
    assert "functional administrator" in refused.text
    assert switched.status_code == 303 and switched.headers["location"] == "/login?lang=nl"


async def test_a_tampered_or_replayed_state_is_refused(sso: Sso) -> None:
    staff_id = sso.world.school.staff[Role.coordinator]
    login = f"p-state-{staff_id}"
    sso.provider.add_account(login, email=sso.world.emails[staff_id])

    async with sso.browser() as browser:
        callback = await through_provider(browser, sso.provider, login, "/login/oidc")
        parts = urlsplit(str(callback))
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        tampered = urlunsplit(parts._replace(query=urlencode({**query, "state": "forged"})))
        refused = await browser.get(tampered)
        assert refused.status_code == 400
        assert "Begin opnieuw op de inlogpagina" in refused.text
        assert SESSION_COOKIE not in browser.cookies
        # The attempt is spent with its cookie: the genuine callback now fails too.
        replayed = await browser.get(callback)
        assert replayed.status_code == 400
        assert SESSION_COOKIE not in browser.cookies

    # The genuine callback opened in another browser (no flow cookie): refused as well.
    async with sso.browser() as other:
        callback = await through_provider(other, sso.provider, login, "/login/oidc")
    async with sso.browser() as stranger:
        stolen = await stranger.get(callback)
        assert stolen.status_code == 400
        assert SESSION_COOKIE not in stranger.cookies
    assert await sso.sessions_of(staff_id) == 0


@pytest.mark.parametrize("tamper", ["nonce", "verifier", "issuer", "unsigned"])
async def test_a_callback_that_does_not_match_its_start_is_refused(sso: Sso, tamper: str) -> None:
    """The nonce must come back in the signed ID token, the PKCE verifier must fit the
    challenge the provider saw, and a provider naming itself must be the one configured."""
    staff_id = sso.world.school.staff[Role.support]
    login = f"p-{tamper}-{staff_id}"
    sso.provider.add_account(login, email=sso.world.emails[staff_id])
    settings = sso.runtime.settings

    async with sso.browser() as browser:
        callback = await through_provider(browser, sso.provider, login, "/login/oidc")
        sealed = browser.cookies[FLOW_COOKIE]
        state = parse_qs(callback.query.decode())["state"][0]
        flow = open_flow(settings, sealed, returned_state=state)
        if tamper == "nonce":
            sealed = seal_flow(settings, replace(flow, nonce="another-nonce"))
        elif tamper == "verifier":
            sealed = seal_flow(settings, replace(flow, verifier="v" * 64))
        elif tamper == "unsigned":
            sealed = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
        else:
            callback = callback.copy_merge_params({"iss": "http://127.0.0.1:1"})
        browser.cookies.delete(FLOW_COOKIE)
        browser.cookies.set(FLOW_COOKIE, sealed, domain="regie.test", path="/login/oidc")
        refused = await browser.get(callback)
        assert SESSION_COOKIE not in browser.cookies

    assert refused.status_code == (400 if tamper == "unsigned" else 401), refused.text
    assert await sso.sessions_of(staff_id) == 0


@pytest.mark.parametrize("fault", ["unreachable", "wrong_issuer"])
async def test_a_provider_down_or_misconfigured_says_to_use_the_email_link(
    openid_provider: OpenIdProvider,
    pool: Pool,
    dev_env: WorkflowEnvironment,
    mail: MailCatcher,
    fault: str,
) -> None:
    if fault == "unreachable":
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            issuer = f"http://127.0.0.1:{probe.getsockname()[1]}"
    else:  # the same provider under another name than its discovery document gives
        issuer = openid_provider.issuer.replace("127.0.0.1", "localhost")
    settings = regie_settings(openid_provider, mail).model_copy(update={"oidc_issuer": issuer})
    runtime = Runtime(
        settings=settings,
        pool=pool,
        temporal=dev_env.client,
        smtp=SmtpSettings.from_url(mail.url),
    )
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=HTML) as client:
        answer = await client.get("/login/oidc")
        assert FLOW_COOKIE not in client.cookies
    assert answer.status_code == 502
    assert "Vraag een inloglink per e-mail aan" in answer.text


async def test_without_settings_there_is_no_button_and_no_route(
    pool: Pool, dev_env: WorkflowEnvironment, mail: MailCatcher
) -> None:
    runtime = Runtime(
        settings=regie_settings(None, mail),
        pool=pool,
        temporal=dev_env.client,
        smtp=SmtpSettings.from_url(mail.url),
    )
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=HTML) as client:
        login_page = await client.get("/login")
        assert login_page.status_code == 200 and "/login/oidc" not in login_page.text
        assert (await client.get("/login/oidc")).status_code == 404
        assert (await client.get("/login/oidc/callback?state=x&code=y")).status_code == 404


def test_half_a_configuration_is_refused_at_start_with_what_to_set() -> None:
    with pytest.raises(ValidationError, match="OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"):
        Settings(oidc_issuer="https://login.example.test", oidc_client_id="regie")
    with pytest.raises(ValidationError, match="must include 'openid'"):
        Settings(
            oidc_issuer="https://login.example.test",
            oidc_client_id="regie",
            oidc_client_secret=SecretStr("secret"),
            oidc_scopes="email",
        )
    blank = Settings(oidc_issuer="", oidc_client_id=" ", oidc_client_secret="")
    assert not blank.oidc_enabled


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/board", "/board"),
        ("/tasks/abc?x=1", "/tasks/abc?x=1"),
        (None, "/"),
        ("https://evil.test/", "/"),
        ("//evil.test/", "/"),
        ("/\\evil.test/", "/"),
        ("/" + "a" * 1000, "/"),
    ],
)
def test_after_signing_in_only_a_path_on_this_site_is_followed(
    asked: str | None, lands: str
) -> None:
    assert safe_next(asked) == lands
