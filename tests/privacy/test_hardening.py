"""The web side: security headers, cookies, the sign-in link limits, session expiry."""

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx

from api.app import create_app
from api.auth import SESSION_COOKIE
from api.routes.signin import SIGN_IN_LIMIT_PER_IP
from domain.roles import Role
from notifications.catcher import MailCatcher
from store import directory, sessions
from tests.fixtures.api import Api
from tests.fixtures.world import BASE_URL


@asynccontextmanager
async def from_ip(api: Api, ip: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from `ip`, with a cookie jar of its own."""
    transport = httpx.ASGITransport(app=create_app(api.runtime), client=(ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


def fresh_ip() -> str:
    """An IPv6 documentation address nobody else in the session uses, so the counts are ours."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


def catcher(api: Api) -> MailCatcher:
    assert api.runtime.mail_catcher is not None
    return api.runtime.mail_catcher


def mail_to(api: Api, address: str) -> int:
    return len([m for m in catcher(api).messages() if address in m.to])


async def add_person(api: Api, address: str) -> str:
    async with api.runtime.pool.connection() as conn:
        staff_id = await directory.create_staff(
            conn, board_id=api.world.board_id, name="Mentor Jansen", email=address
        )
        await directory.grant_role(
            conn, staff_id=staff_id, role=Role.support, school_id=api.world.school.id
        )
    return staff_id


def address() -> str:
    return f"mentor.{uuid.uuid4().hex[:8]}@example.org"


# --- headers ----------------------------------------------------------------------------------


async def test_every_response_carries_the_security_headers(api: Api) -> None:
    coordinator = api.school_staff(Role.coordinator)
    for path, headers in (
        ("/login", {}),
        ("/", {}),  # a redirect to /login
        ("/api/me/tasks", {}),  # 401
        ("/api/me/tasks", api.as_(coordinator)),
        ("/static/regie.css", {}),
        ("/no-such-page", {"accept": "text/html"}),
    ):
        response = await api.client.get(path, headers=headers, follow_redirects=False)
        csp = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in csp, path
        assert "frame-ancestors 'none'" in csp, path
        script = re.search(r"script-src ([^;]*)", csp)
        assert script is not None and "unsafe-inline" not in script.group(1), path
        assert "unsafe-inline" not in csp, path
        assert response.headers.get("x-content-type-options") == "nosniff", path
        assert response.headers.get("referrer-policy") == "no-referrer", path
        assert "strict-transport-security" not in response.headers, path
    page = await api.client.get("/login")
    assert page.headers["cache-control"] == "no-store"


async def test_hsts_only_behind_tls(api: Api) -> None:
    plain = await api.client.get("/login")
    assert "strict-transport-security" not in plain.headers
    proxied = await api.client.get("/login", headers={"X-Forwarded-Proto": "https"})
    hsts = proxied.headers.get("strict-transport-security", "")
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 15552000
    transport = httpx.ASGITransport(app=create_app(api.runtime))
    async with httpx.AsyncClient(transport=transport, base_url="https://regie.test") as direct:
        assert "strict-transport-security" in (await direct.get("/login")).headers


async def test_pages_need_no_inline_script_or_style(api: Api) -> None:
    """The policy forbids both, so a page that used them would break in the browser."""
    board = api.board_staff(Role.board_safeguarding)
    coordinator = api.school_staff(Role.coordinator)
    created = await api.client.post(
        "/api/incidents",
        headers=api.as_(coordinator),
        json={"school_id": api.world.school.id, "summary": "Beelden gedeeld in een appgroep"},
    )
    assert created.status_code in (200, 201), created.text
    incident_id = created.json()["id"]
    pages = [
        ("/login", {}),
        ("/", api.as_(coordinator)),
        ("/incidents/new", api.as_(coordinator)),
        (f"/incidents/{incident_id}", api.as_(coordinator)),
        ("/board", api.as_(board)),
    ]
    for path, headers in pages:
        response = await api.client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        html = response.text
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), path
        assert not re.search(r"\sstyle\s*=", html), path
        assert "<style" not in html, path
        assert not re.search(r"\son[a-z]+\s*=", html), path


# --- cookies ----------------------------------------------------------------------------------


async def test_the_session_cookie_is_httponly_lax_and_secure_behind_tls(api: Api) -> None:
    for proto, secure in (("https", True), (None, False)):
        person = address()
        staff_id = await add_person(api, person)
        async with api.runtime.pool.connection() as conn:
            link = await sessions.create_sign_in_link(
                conn, staff_id=staff_id, ttl=timedelta(minutes=5)
            )
        headers = {"X-Forwarded-Proto": proto} if proto else {}
        async with from_ip(api, "192.0.2.10") as web:
            signed_in = await web.get(
                f"/auth/sign-in/{link}", headers=headers, follow_redirects=False
            )
        assert signed_in.status_code == 303, signed_in.text
        cookie = signed_in.headers["set-cookie"].lower()
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert ("; secure" in cookie) is secure, cookie


# --- sign-in link limits ----------------------------------------------------------------------


async def test_sign_in_link_flooding_from_one_ip_is_throttled(api: Api) -> None:
    """Different addresses from one IP count together; past the limit no mail goes out."""
    flooder = fresh_ip()
    known = [address() for _ in range(3)]
    for person in known:
        await add_person(api, person)
    asks = [known[0]] * 5 + [known[1]] * 5 + [address() for _ in range(SIGN_IN_LIMIT_PER_IP - 10)]
    async with from_ip(api, flooder) as client:
        for person in asks:
            asked = await client.post("/auth/sign-in-link", json={"email": person})
            assert asked.status_code == 202, asked.text
        await catcher(api).wait_for(lambda m: known[0] in m.to, timeout=10, count=5)
        await catcher(api).wait_for(lambda m: known[1] in m.to, timeout=10, count=5)

        # The limit is reached: a third, untouched address from the same IP gets nothing.
        refused = await client.post("/auth/sign-in-link", json={"email": known[2]})
        assert refused.status_code == 429
        assert "15 minutes" in refused.json()["detail"]
        assert refused.headers["retry-after"] == "900"
        page = await client.post("/login", data={"email": known[2]})
        assert page.status_code == 429
        assert "te veel inloglinks" in page.text.lower()
        await asyncio.sleep(0.3)
        assert mail_to(api, known[2]) == 0

    # The limit is the IP's, not the address's: from elsewhere it works.
    async with from_ip(api, fresh_ip()) as elsewhere:
        asked = await elsewhere.post("/auth/sign-in-link", json={"email": known[2]})
        assert asked.status_code == 202
    await catcher(api).wait_for(lambda m: known[2] in m.to, timeout=10)

    # The table holds no IP address, only a keyed hash of it.
    async with api.runtime.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) AS n FROM sign_in_requests WHERE client_hash LIKE %s",
            (f"%{flooder}%",),
        )
        row = await cur.fetchone()
    assert row is not None and row["n"] == 0


async def test_the_ip_limit_holds_across_replicas(api: Api) -> None:
    """Two app instances (as two replicas) share the count through PostgreSQL."""
    ip = fresh_ip()
    replicas = [from_ip(api, ip), from_ip(api, ip)]
    async with replicas[0] as one, replicas[1] as two:
        answers = await asyncio.gather(
            *[
                (one if n % 2 else two).post("/auth/sign-in-link", json={"email": address()})
                for n in range(SIGN_IN_LIMIT_PER_IP + 6)
            ]
        )
    codes = sorted(a.status_code for a in answers)
    assert codes.count(202) == SIGN_IN_LIMIT_PER_IP and codes.count(429) == 6


# --- sessions ---------------------------------------------------------------------------------


async def test_an_expired_or_idle_session_is_refused(api: Api) -> None:
    staff_id = await add_person(api, address())
    async with api.runtime.pool.connection() as conn:
        fresh = await sessions.create_session(conn, staff_id=staff_id, ttl=timedelta(hours=1))
        expired = await sessions.create_session(conn, staff_id=staff_id, ttl=timedelta(hours=1))
        idle = await sessions.create_session(conn, staff_id=staff_id, ttl=timedelta(hours=12))
        await conn.execute(
            "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = %s",
            (expired.split(".")[0],),
        )
        await conn.execute(
            "UPDATE sessions SET last_seen_at = now() - %s WHERE id = %s",
            (sessions.IDLE_TIMEOUT + timedelta(minutes=1), idle.split(".")[0]),
        )

    async def me(token: str) -> httpx.Response:
        async with from_ip(api, "192.0.2.20") as web:
            web.cookies.set(SESSION_COOKIE, token)
            return await web.get("/api/me/tasks")

    assert (await me(fresh)).status_code == 200
    for refused in (expired, idle):
        answer = await me(refused)
        assert answer.status_code == 401
        assert "expired" in answer.json()["detail"]

    # Use keeps a session alive: last_seen_at moves on (at most once a minute).
    async with api.runtime.pool.connection() as conn:
        await conn.execute(
            "UPDATE sessions SET last_seen_at = now() - interval '50 minutes' WHERE id = %s",
            (fresh.split(".")[0],),
        )
    assert (await me(fresh)).status_code == 200
    async with api.runtime.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT now() - last_seen_at < interval '1 minute' AS recent FROM sessions"
            " WHERE id = %s",
            (fresh.split(".")[0],),
        )
        row = await cur.fetchone()
    assert row is not None and row["recent"]
