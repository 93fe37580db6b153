"""Signing in: personal API tokens, task links from the e-mails and e-mail sign-in links.

Tokens and links that are missing, malformed, forged, revoked, expired, reused, or for a task
that was reassigned or is done, are refused; a task link reaches its own task only.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from itsdangerous import TimestampSigner
from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from activities.tasks import TaskActivities
from api.app import create_app
from api.auth import SESSION_COOKIE
from domain.roles import Role
from notifications.catcher import CaughtMessage, MailCatcher
from notifications.links import read_task_token, task_token
from store import directory, sessions, tasks, tokens
from store.db import Pool
from store.tasks import TaskRow
from tests import answers
from tests.fixtures.api import Api, make_runtime, tokens_for
from tests.fixtures.world import BASE_URL, SECRET, World, end_all, make_deps, running_worker

THIRTY_ONE_DAYS = 31 * 24 * 3600


@asynccontextmanager
async def browser(api: Api) -> AsyncIterator[httpx.AsyncClient]:
    """A client with a cookie jar of its own, as a second browser would have."""
    transport = httpx.ASGITransport(app=create_app(api.runtime))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


def catcher(api: Api) -> MailCatcher:
    assert api.runtime.mail_catcher is not None
    return api.runtime.mail_catcher


def path_of(link: str) -> str:
    return urlsplit(link).path


def task_links(message: CaughtMessage) -> list[str]:
    return [path_of(link) for link in message.links if "/t/" in link]


def task_of_link(path: str) -> str:
    token = path.rsplit("/", 1)[1]
    return read_task_token(SECRET, token, max_age_seconds=3600).task_id


async def task_link(api: Api, address: str, task_id: str) -> str:
    """The link in the e-mail that gave `address` the task `task_id`."""

    def match(message: CaughtMessage) -> bool:
        return address in message.to and any(
            task_of_link(p) == task_id for p in task_links(message)
        )

    found = await catcher(api).wait_for(match, timeout=10)
    return next(p for p in task_links(found[0]) if task_of_link(p) == task_id)


async def open_task(api: Api, incident_id: str, kind: str) -> TaskRow:
    for _ in range(300):
        async with api.runtime.pool.connection() as conn:
            rows = await tasks.tasks_of_incident(conn, incident_id=incident_id)
        found = [r for r in rows if r.kind == kind and r.status == "open"]
        if found:
            return found[0]
        await asyncio.sleep(0.03)
    raise AssertionError(f"no open {kind} task in incident {incident_id}")


async def new_incident(api: Api) -> str:
    created = await api.client.post(
        "/api/incidents",
        json={"school_id": api.world.school.id, "summary": "Naaktfoto gedeeld in de klassenapp"},
        headers=api.as_(api.school_staff(Role.coordinator)),
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def eventually(client: httpx.AsyncClient, path: str, want: int) -> httpx.Response:
    """The link's answer once the task's read model caught up with the workflow."""
    response = await client.get(path, follow_redirects=False)
    for _ in range(200):
        if response.status_code == want:
            break
        await asyncio.sleep(0.03)
        response = await client.get(path, follow_redirects=False)
    return response


async def add_person(api: Api, address: str) -> str:
    """A support person at school 0 with an ordinary address (sign-in requests need one)."""
    async with api.runtime.pool.connection() as conn:
        staff_id = await directory.create_staff(
            conn, board_id=api.world.board_id, name="Mentor Janssen", email=address
        )
        await directory.grant_role(
            conn, staff_id=staff_id, role=Role.support, school_id=api.world.school.id
        )
    return staff_id


# --- personal API tokens ---------------------------------------------------------------------


async def test_requests_without_a_valid_token_are_refused(api: Api) -> None:
    coordinator = api.school_staff(Role.coordinator)

    missing = await api.client.get("/api/me/tasks")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    detail = missing.json()["detail"]
    assert "Authorization: Bearer <token>" in detail and "regie token create" in detail

    real = api.tokens[coordinator]
    ident, _, secret = real.partition(".")
    for header in (
        "Basic dXNlcjpwYXNzd29yZA==",
        "Bearer",
        "Bearer ",
        "Token " + real,
        real,
    ):
        response = await api.client.get("/api/me/tasks", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["detail"], header

    altered = secret[:-2] + ("AA" if secret[-2:] != "AA" else "BB")
    for forged in (
        "rgt_0123456789abcdef." + secret,  # an id that does not exist
        f"{ident}.{altered}",  # the right id, another secret
        f"{ident}.",
        "not-a-token-at-all",
        "x" * 500,
    ):
        response = await api.client.get(
            "/api/me/tasks", headers={"Authorization": f"Bearer {forged}"}
        )
        assert response.status_code == 401, forged
        assert "unknown or revoked" in response.json()["detail"]

    # A revoked token stops working; the person's other tokens do not.
    async with api.runtime.pool.connection() as conn:
        spare = await tokens.create_token(conn, staff_id=coordinator, label="laptop")
    works = await api.client.get("/api/me/tasks", headers={"Authorization": f"Bearer {spare}"})
    assert works.status_code == 200
    async with api.runtime.pool.connection() as conn:
        assert await tokens.revoke(conn, token_id=spare.partition(".")[0]) is True
    revoked = await api.client.get("/api/me/tasks", headers={"Authorization": f"Bearer {spare}"})
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["detail"]
    still = await api.client.get("/api/me/tasks", headers=api.as_(coordinator))
    assert still.status_code == 200

    # A made-up session cookie is no better than a made-up token.
    async with browser(api) as web:
        web.cookies.set(SESSION_COOKIE, f"rgs_0123456789abcdef.{secret}")
        response = await web.get("/api/me/tasks")
        assert response.status_code == 401
        assert "sign in" in response.json()["detail"]


# --- task links --------------------------------------------------------------------------------


async def test_a_task_link_signs_the_assignee_in_for_that_task_only(api: Api) -> None:
    mentor = api.school_staff(Role.support)
    coordinator = api.school_staff(Role.coordinator)
    incident_id = await new_incident(api)
    support = await open_task(api, incident_id, "support")
    assess = await open_task(api, incident_id, "assess")
    assert support.assignee_id == mentor
    link = await task_link(api, api.world.emails[mentor], support.id)

    async with browser(api) as web:
        signed_in = await web.get(link, follow_redirects=False)
        assert signed_in.status_code == 303, signed_in.text
        assert signed_in.headers["location"] == f"/tasks/{support.id}"
        cookie = signed_in.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie.lower()
        assert web.cookies.get(SESSION_COOKIE)

        page = await web.get(f"/api/tasks/{support.id}")
        assert page.status_code == 200, page.text
        assert page.json()["id"] == support.id and page.json()["guidance"]
        mine = await web.get("/api/me/tasks")
        assert mine.status_code == 200
        assert [t["id"] for t in mine.json()] == [support.id]

        # The session reaches this task only: not the incident, not its other tasks.
        incident = await web.get(f"/api/incidents/{incident_id}")
        assert incident.status_code in (403, 404), incident.text
        other_task = await web.get(f"/api/tasks/{assess.id}")
        assert other_task.status_code in (403, 404), other_task.text
        listing = await web.get("/api/incidents")
        assert listing.status_code in (403, 404), listing.text
        history = await web.get(f"/api/incidents/{incident_id}/history")
        assert history.status_code in (403, 404), history.text

    # The coordinator's own link is no key to the mentor's task either.
    coordinator_link = await task_link(api, api.world.emails[coordinator], assess.id)
    async with browser(api) as web:
        assert (await web.get(coordinator_link, follow_redirects=False)).status_code == 303
        refused = await web.get(f"/api/tasks/{support.id}")
        assert refused.status_code in (403, 404), refused.text


async def test_forged_and_expired_task_links_are_refused(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor = api.school_staff(Role.support)
    incident_id = await new_incident(api)
    support = await open_task(api, incident_id, "support")
    link = await task_link(api, api.world.emails[mentor], support.id)
    token = link.rsplit("/", 1)[1]

    async with browser(api) as web:
        # One character changed in the signed payload.
        i = 3
        forged = token[:i] + ("B" if token[i] != "B" else "C") + token[i + 1 :]
        response = await web.get(f"/t/{forged}", follow_redirects=False)
        assert response.status_code == 401, response.text
        assert "not valid" in response.json()["detail"]
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")

        # The right claims signed with another key.
        other_key = task_token(
            "not-the-secret-key-0123456789",
            task_id=support.id,
            assignee_id=mentor,
            assignment=support.assignment,
        )
        response = await web.get(f"/t/{other_key}", follow_redirects=False)
        assert response.status_code == 401, response.text

        # The right claims and key, signed 31 days ago: expired.
        now = int(time.time())
        with monkeypatch.context() as patched:
            patched.setattr(TimestampSigner, "get_timestamp", lambda self: now - THIRTY_ONE_DAYS)
            old = task_token(
                SECRET, task_id=support.id, assignee_id=mentor, assignment=support.assignment
            )
        response = await web.get(f"/t/{old}", follow_redirects=False)
        assert response.status_code == 401, response.text
        assert "expired" in response.json()["detail"]
        assert not web.cookies.get(SESSION_COOKIE)

        # The same claims signed now work: only the age made the difference.
        fresh = task_token(
            SECRET, task_id=support.id, assignee_id=mentor, assignment=support.assignment
        )
        assert (await web.get(f"/t/{fresh}", follow_redirects=False)).status_code == 303


async def test_the_link_of_a_reassigned_task_or_a_done_task_is_refused(api: Api) -> None:
    mentor = api.school_staff(Role.support)
    coordinator = api.school_staff(Role.coordinator)
    leader = api.school_staff(Role.school_leader)
    incident_id = await new_incident(api)
    support = await open_task(api, incident_id, "support")
    assess = await open_task(api, incident_id, "assess")
    mentor_link = await task_link(api, api.world.emails[mentor], support.id)
    assess_link = await task_link(api, api.world.emails[coordinator], assess.id)

    moved = await api.client.post(
        f"/api/tasks/{support.id}/reassign",
        json={"assignee_id": leader},
        headers=api.as_(coordinator),
    )
    assert moved.status_code == 200, moved.text
    async with browser(api) as web:
        response = await eventually(web, mentor_link, 403)
        assert response.status_code == 403, response.text
        assert "colleague" in response.json()["detail"]
        assert "set-cookie" not in response.headers

    # The new assignee got a link of their own, and it works.
    leader_link = await task_link(api, api.world.emails[leader], support.id)
    async with browser(api) as web:
        assert (await web.get(leader_link, follow_redirects=False)).status_code == 303

    done = await api.client.post(
        f"/api/tasks/{assess.id}/complete", json=answers.assess(), headers=api.as_(coordinator)
    )
    assert done.status_code == 200, done.text
    async with browser(api) as web:
        response = await eventually(web, assess_link, 410)
        assert response.status_code == 410, response.text
        assert "nothing left to do" in response.json()["detail"]
        assert "set-cookie" not in response.headers


class LaggingReadModel(TaskActivities):
    """Writes a reassignment or a closed task to the task table a moment late.

    The workflow accepts the update and the API answers 200 before this activity has run;
    the delay makes that window wide enough to step into every time.
    """

    LAG = 1.5

    @activity.defn(name="reassign_task")
    async def reassign_task(self, inp: Any) -> None:
        await asyncio.sleep(self.LAG)
        await super().reassign_task(inp)

    @activity.defn(name="close_task")
    async def close_task(self, inp: Any) -> None:
        await asyncio.sleep(self.LAG)
        await super().close_task(inp)


@pytest.mark.parametrize("change", ["reassigned", "done"])
async def test_a_task_link_stops_working_as_soon_as_the_api_confirms_the_change(
    change: str, dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    lagging = LaggingReadModel(make_deps(pool, mail))
    replace: dict[str, Any] = {
        "reassign_task": lagging.reassign_task,
        "close_task": lagging.close_task,
    }
    made = await tokens_for(pool, world)
    coordinator = world.school.staff[Role.coordinator]
    mentor = world.school.staff[Role.support]
    headers = {"Authorization": f"Bearer {made[coordinator]}"}
    async with running_worker(dev_env.client, pool, mail, replace=replace) as harness:
        runtime = make_runtime(pool, dev_env, mail, harness.task_queue)
        transport = httpx.ASGITransport(app=create_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            created = await client.post(
                "/api/incidents",
                json={"school_id": world.school.id, "summary": "Foto gedeeld"},
                headers=headers,
            )
            assert created.status_code == 201, created.text
            incident_id = created.json()["id"]
            try:
                view = Api(client, world, made, harness, runtime)
                if change == "reassigned":
                    task = await open_task(view, incident_id, "support")
                    link = await task_link(view, world.emails[mentor], task.id)
                    answered = await client.post(
                        f"/api/tasks/{task.id}/reassign",
                        json={"assignee_id": world.school.staff[Role.school_leader]},
                        headers=headers,
                    )
                    want = 403
                else:
                    task = await open_task(view, incident_id, "assess")
                    link = await task_link(view, world.emails[coordinator], task.id)
                    answered = await client.post(
                        f"/api/tasks/{task.id}/complete", json=answers.assess(), headers=headers
                    )
                    want = 410
                assert answered.status_code == 200, answered.text
                used = await client.get(link, follow_redirects=False)
                assert used.status_code == want, used.text
            finally:
                await end_all(harness.client, [incident_id])


# --- e-mail sign-in links --------------------------------------------------------------------


async def test_an_email_sign_in_link_works_once(api: Api) -> None:
    address = f"mentor.{uuid.uuid4().hex[:8]}@example.org"
    staff_id = await add_person(api, address)
    unknown = f"nobody.{uuid.uuid4().hex[:8]}@example.org"

    asked = await api.client.post("/auth/sign-in-link", json={"email": address})
    assert asked.status_code == 202, asked.text
    stranger = await api.client.post("/auth/sign-in-link", json={"email": unknown})
    assert stranger.status_code == 202
    assert stranger.json() == asked.json()

    found = await catcher(api).wait_for(lambda m: address in m.to, timeout=10)
    assert len(found) == 1
    links = [path_of(link) for link in found[0].links if "/auth/sign-in/" in link]
    assert len(links) == 1
    link = links[0]

    async with browser(api) as web:
        signed_in = await web.get(link, follow_redirects=False)
        assert signed_in.status_code == 303, signed_in.text
        cookie = web.cookies.get(SESSION_COOKIE)
        assert cookie
        async with api.runtime.pool.connection() as conn:
            session = await sessions.session_for(conn, token=cookie)
        assert session is not None and session.staff_id == staff_id
        assert session.task_id is None
        mine = await web.get("/api/me/tasks")
        assert mine.status_code == 200, mine.text
        assert mine.json() == []
        # A full session, not one task's: the person's school is there.
        schools = await web.get("/api/schools")
        assert [s["id"] for s in schools.json()] == [api.world.school.id]

    async with browser(api) as web:
        again = await web.get(link, follow_redirects=False)
        assert again.status_code == 401, again.text
        assert "used" in again.json()["detail"]
        assert not web.cookies.get(SESSION_COOKIE)

    assert not [m for m in catcher(api).messages() if unknown in m.to]


async def test_more_than_five_sign_in_requests_in_fifteen_minutes_send_no_more_mail(
    api: Api,
) -> None:
    address = f"mentor.{uuid.uuid4().hex[:8]}@example.org"
    await add_person(api, address)
    for _ in range(7):
        asked = await api.client.post("/auth/sign-in-link", json={"email": address})
        assert asked.status_code == 202, asked.text
    await catcher(api).wait_for(lambda m: address in m.to, timeout=10, count=5)
    await asyncio.sleep(0.2)
    assert len([m for m in catcher(api).messages() if address in m.to]) == 5


async def test_a_sign_in_link_for_a_staff_address_at_a_test_domain(api: Api) -> None:
    address = api.world.emails[api.school_staff(Role.support)]
    assert address.endswith(".test")
    asked = await api.client.post("/auth/sign-in-link", json={"email": address})
    assert asked.status_code == 202, asked.text
    await catcher(api).wait_for(lambda m: address in m.to, timeout=10)
