"""The incident page and the board overview over HTTP, on the real stack (dev server, real time).

People sign in with a web session (as the e-mail link would make one); the pages are read as
HTML and checked for what a person sees: statuses, links, sentences, forms and counts.
"""

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from api.auth import SESSION_COOKIE
from domain.deadlines import DeadlineSettings
from domain.roles import Role
from domain.steps import Step
from notifications.catcher import MailCatcher
from store import directory, incidents, sessions, tasks
from store.tasks import TaskRow
from tests import answers
from tests.fixtures.api import Api
from tests.fixtures.world import BASE_URL

T = TypeVar("T")

HTML = {"accept": "text/html"}
PLAN_ITEM = re.compile(r'<li class="step-(\w+)">')


def _as(api: Api, token: str) -> dict[str, str]:
    """Request headers of a signed-in browser: the session cookie and an HTML accept."""
    return {**HTML, "cookie": f"{SESSION_COOKIE}={token}"}


async def _session(api: Api, staff_id: str) -> dict[str, str]:
    async with api.runtime.pool.connection() as conn:
        token = await sessions.create_session(conn, staff_id=staff_id, ttl=timedelta(hours=1))
    return _as(api, token)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


async def _until(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 20) -> T:
    """Poll until `probe` returns something: the workflow acts a moment after a request."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await probe()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def _open_task(api: Api, incident_id: str, kind: str) -> TaskRow:
    async def probe() -> TaskRow | None:
        async with api.runtime.pool.connection() as conn:
            rows = await tasks.tasks_of_incident(conn, incident_id=incident_id)
        return next((r for r in rows if r.kind == kind and r.status == "open"), None)

    return await _until(probe, f"an open {kind} task")


async def _audit_kinds(api: Api, incident_id: str) -> list[str]:
    async with api.runtime.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT kind FROM audit_events WHERE incident_id = %s ORDER BY id", (incident_id,)
        )
        return [str(r["kind"]) for r in await cur.fetchall()]


async def _new_incident(api: Api, summary: str = "Beelden gedeeld in een klassengroep") -> str:
    coordinator = api.school_staff(Role.coordinator)
    created = await api.client.post(
        "/api/incidents",
        json={"school_id": api.world.school.id, "summary": summary},
        headers=api.as_(coordinator),
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _assessed(api: Api, **overrides: object) -> tuple[str, str]:
    """An incident whose assessment links school 1; returns (incident id, linked id)."""
    incident_id = await _new_incident(api, summary="<script>alert('summary')</script>")
    coordinator = api.school_staff(Role.coordinator)
    assess = await _open_task(api, incident_id, "assess")
    answer = answers.assess(other_school_ids=[api.world.schools[1].id], **overrides)
    await api.runtime.service.complete_task(task_id=assess.id, actor_id=coordinator, answer=answer)

    async def linked() -> str | None:
        async with api.runtime.pool.connection() as conn:
            ids = await incidents.linked_ids(conn, incident_id=incident_id)
        return ids[0] if ids else None

    return incident_id, await _until(linked, "the linked incident at school 1")


async def test_the_incident_page_shows_the_plan_links_and_a_timeline_without_pupils(
    api: Api,
) -> None:
    incident_id, linked_id = await _assessed(api)
    await _open_task(api, incident_id, "report")
    coordinator = api.school_staff(Role.coordinator)
    as_coordinator = await _session(api, coordinator)

    page = await api.client.get(f"/incidents/{incident_id}", headers=as_coordinator)
    assert page.status_code == 200, page.text
    html = page.text
    # The plan: eight steps in order, with the same statuses as the JSON API.
    api_view = await api.client.get(f"/api/incidents/{incident_id}", headers=api.as_(coordinator))
    expected = [s["status"] for s in api_view.json()["steps"]]
    assert PLAN_ITEM.findall(html) == expected
    assert expected[0] == "done" and expected[1] == "open" and expected[2] == "open"
    assert expected[3] == "waiting"  # report first, delete afterwards
    for number, word in enumerate(("Bepaal omvang en impact", "Sta het slachtoffer bij"), 1):
        assert f"Stap {number}: </span>{word}" in html
    assert '<span class="badge done">klaar</span>' in html
    assert "Bij support 1" in html  # who holds the open support task
    # The linked incident: this coordinator may not open school 1's incident, so no link.
    assert f'href="/incidents/{linked_id}"' not in html
    assert "geen toegang voor jou" in html
    # The timeline: staff names, step titles, Amsterdam time; never a pupil or a note.
    assert "coordinator 1 heeft ‘Bepaal omvang en impact’ afgerond." in html
    assert "Taak ‘Sta het slachtoffer bij’ staat open bij support 1." in html
    assert "coordinator 1 heeft het incident bekeken." in html
    assert "Gekoppeld aan incident RG-" in html
    for secret in (answers.VICTIM, answers.SPREADER, answers.SECRET_NOTE, answers.GROUP_NAME):
        assert secret not in html
    assert "<script>" not in html and "alert(" not in html  # the summary is not shown at all
    assert 'type="file"' not in html
    # The view was logged like the API's reads.
    assert "incident_viewed" in await _audit_kinds(api, incident_id)

    # The board's adviser may open the linked incident: a link.
    adviser = await _session(api, api.board_staff(Role.board_safeguarding))
    board_view = await api.client.get(f"/incidents/{incident_id}", headers=adviser)
    assert f'href="/incidents/{linked_id}"' in board_view.text
    linked_page = await api.client.get(f"/incidents/{linked_id}", headers=adviser)
    assert linked_page.status_code == 200 and "Testcollege 2" in linked_page.text

    # English on request.
    english = await api.client.get(f"/incidents/{incident_id}?lang=en", headers=as_coordinator)
    assert "Determine scope and impact" in english.text and "The step plan" in english.text


async def test_staff_names_are_escaped(api: Api) -> None:
    coordinator = api.school_staff(Role.coordinator)
    async with api.runtime.pool.connection() as conn:
        await conn.execute(
            "UPDATE staff SET name = %s WHERE id = %s", ("<script>alert(1)</script>", coordinator)
        )
    incident_id = await _new_incident(api, summary="<script>alert(2)</script>")
    await _open_task(api, incident_id, "assess")
    page = await api.client.get(
        f"/incidents/{incident_id}", headers=await _session(api, coordinator)
    )
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; heeft het incident bekeken." in page.text


async def test_media_inquiry_and_cancel_from_the_page(api: Api) -> None:
    incident_id = await _new_incident(api)
    await _open_task(api, incident_id, "assess")
    leader = await _session(api, api.school_staff(Role.school_leader))
    page = await api.client.get(f"/incidents/{incident_id}", headers=leader)
    assert 'value="media_inquiry"' in page.text and 'value="cancel"' in page.text
    csrf = _csrf(page.text)
    events = f"/incidents/{incident_id}/events"

    # Without the page's token nothing happens.
    forged = await api.client.post(
        events, data={"event": "media_inquiry", "text": ""}, headers=leader
    )
    assert forged.status_code == 403
    assert "media_inquiry" not in await _audit_kinds(api, incident_id)

    asked = await api.client.post(
        events, data={"csrf": csrf, "event": "media_inquiry", "text": "RTV belde"}, headers=leader
    )
    assert asked.status_code == 303
    assert asked.headers["location"] == f"/incidents/{incident_id}?recorded=media_inquiry"
    await _open_task(api, incident_id, "media")
    after = await api.client.get(asked.headers["location"], headers=leader)
    assert "Vastgelegd." in after.text
    assert PLAN_ITEM.findall(after.text)[6] == "open"  # step 7, media
    assert "school_leader 1 heeft een vraag van de media vastgelegd." in after.text

    # Cancel needs a reason: the page says so and keeps the incident open.
    refused = await api.client.post(
        events, data={"csrf": csrf, "event": "cancel", "text": "  "}, headers=leader
    )
    assert refused.status_code == 422
    assert "Schrijf op waarom het vals alarm is" in refused.text
    cancelled = await api.client.post(
        events,
        data={"csrf": csrf, "event": "cancel", "text": "Het bleek een grap zonder beelden"},
        headers=leader,
    )
    assert cancelled.status_code == 303

    async def stopped() -> bool:
        async with api.runtime.pool.connection() as conn:
            row = await incidents.get_incident(conn, incident_id=incident_id)
        return row is not None and row.status == "cancelled"

    await _until(stopped, "the incident to be cancelled")
    final = await api.client.get(f"/incidents/{incident_id}", headers=leader)
    assert '<span class="badge cancelled">gestopt</span>' in final.text
    assert "school_leader 1 heeft het incident gestopt (vals alarm)." in final.text
    assert 'value="cancel"' not in final.text  # no forms on a closed incident
    assert "Het bleek een grap" not in final.text  # the reason is a note, not shown
    again = await api.client.post(
        events, data={"csrf": csrf, "event": "new_information"}, headers=leader
    )
    assert again.status_code == 409


async def test_who_sees_what(api: Api) -> None:
    incident_id = await _new_incident(api)
    await _open_task(api, incident_id, "assess")

    # Another school's coordinator: the incident does not exist for them.
    other = await _session(api, api.school_staff(Role.coordinator, school=1))
    hidden = await api.client.get(f"/incidents/{incident_id}", headers=other)
    assert hidden.status_code == 404
    assert "Geen toegang" in hidden.text and "<html" in hidden.text

    # A mentor may report a media inquiry but not cancel.
    mentor = await _session(api, api.school_staff(Role.support))
    mentor_page = await api.client.get(f"/incidents/{incident_id}", headers=mentor)
    assert mentor_page.status_code == 200
    assert 'value="media_inquiry"' in mentor_page.text and 'value="cancel"' not in mentor_page.text
    refused = await api.client.post(
        f"/incidents/{incident_id}/events",
        data={"csrf": _csrf(mentor_page.text), "event": "cancel", "text": "vals alarm"},
        headers=mentor,
    )
    assert refused.status_code == 403

    # The auditor: the timeline and nothing else; the read is logged as a history read.
    auditor = await _session(api, api.board_staff(Role.auditor))
    audited = await api.client.get(f"/incidents/{incident_id}", headers=auditor)
    assert audited.status_code == 200
    assert "Tijdlijn" in audited.text and "alleen de tijdlijn" in audited.text
    assert 'class="plan"' not in audited.text and '<form method="post" action="/inc' not in (
        audited.text
    )
    assert "Het stappenplan" not in audited.text
    assert "history_viewed" in await _audit_kinds(api, incident_id)
    refused = await api.client.post(
        f"/incidents/{incident_id}/events",
        data={"csrf": _csrf(audited.text), "event": "media_inquiry"},
        headers=auditor,
    )
    assert refused.status_code == 403

    # School staff get no board overview.
    coordinator = await _session(api, api.school_staff(Role.coordinator))
    board = await api.client.get("/board", headers=coordinator)
    assert board.status_code == 403 and "bestuursbureau" in board.text


def _school_row(html: str, school_id: str) -> dict[str, int]:
    row = re.search(rf'<tr id="school-{school_id}">(.*?)</tr>', html, re.S)
    assert row, "the school has no row"
    cells = re.findall(r'data-count="(\w+)">(?:<span[^>]*>)?(\d+)', row.group(1))
    return {name: int(value) for name, value in cells}


def _last_row(html: str, table_id: str) -> list[int]:
    table = re.search(rf'<table class="chart-data" id="{table_id}">(.*?)</table>', html, re.S)
    assert table
    rows = re.findall(r"<tr><th scope=\"row\">[^<]*</th>(.*?)</tr>", table.group(1))
    assert len(rows) == 12
    return [int(n) for n in re.findall(r">(\d+)</td>", rows[-1])]


async def test_the_board_sees_an_overdue_and_escalated_task_and_the_months(api: Api) -> None:
    async with api.runtime.pool.connection() as conn:
        await directory.set_deadline_settings(
            conn,
            board_id=api.world.board_id,
            settings=DeadlineSettings().merged({Step.assess: "PT1S"}),
        )
    incident_id = await _new_incident(api)
    assess = await _open_task(api, incident_id, "assess")

    async def escalated() -> bool:
        return "task_escalated" in await _audit_kinds(api, incident_id)

    await _until(escalated, "the escalation of the late assessment")
    adviser = await _session(api, api.board_staff(Role.board_safeguarding))
    board = await api.client.get("/board", headers=adviser)
    assert board.status_code == 200, board.text
    html = board.text
    assert _school_row(html, api.world.schools[0].id) == {"open": 1, "overdue": 1, "escalated": 1}
    assert _school_row(html, api.world.schools[1].id) == {"open": 0, "overdue": 0, "escalated": 0}
    assert _last_row(html, "incidents-table") == [1]  # this month
    assert _last_row(html, "deadlines-table") == [0, 0]
    assert html.count('role="img"') == 2 and "<title id=" in html
    assert "Beleidsevaluatie" in html

    # The incident page marks the late, escalated step.
    page = await api.client.get(f"/incidents/{incident_id}", headers=adviser)
    assert '<span class="badge overdue">te laat</span>' in page.text
    assert '<span class="badge escalated">opgeschaald</span>' in page.text
    assert "niveau 1" in page.text and "school_leader 1" in page.text

    # The late assessment is done after its deadline: a missed deadline this month.
    await api.runtime.service.complete_task(
        task_id=assess.id,
        actor_id=api.school_staff(Role.coordinator),
        answer=answers.assess(possible_csam=False, has_url=False, persons=[]),
    )
    await _open_task(api, incident_id, "confront")
    later = await api.client.get("/board", headers=adviser)
    assert _school_row(later.text, api.world.schools[0].id)["overdue"] == 0
    assert _last_row(later.text, "deadlines-table") == [0, 1]


async def test_the_school_leader_told_of_a_refused_address_hands_the_task_on(
    api: Api, mail: MailCatcher
) -> None:
    coordinator = api.school_staff(Role.coordinator)
    leader_id = api.school_staff(Role.school_leader)
    mail.refuse(api.world.emails[coordinator])
    incident_id = await _new_incident(api)
    assess = await _open_task(api, incident_id, "assess")
    [notice] = await mail.wait_for(
        lambda m: api.world.emails[leader_id] in m.to and m.subject.startswith("E-mail niet")
    )
    [link] = [li for li in notice.links if "/incidents/" in li]

    leader = await _session(api, leader_id)
    page = await api.client.get(link.removeprefix(BASE_URL), headers=leader)
    assert page.status_code == 200, page.text
    assert (
        "De mailserver weigerde het e-mailadres van coordinator 1; de e-mail over "
        "‘Bepaal omvang en impact’ is niet bezorgd." in page.text
    )
    task_page = await api.client.get(f"/tasks/{assess.id}", headers=leader)
    assert f'<a href="/tasks/{assess.id}">' in page.text
    assert "Aan een collega geven" in task_page.text

    # A colleague who only sees the incident (the mentor, through their own task) may not.
    await _open_task(api, incident_id, "support")
    mentor = await _session(api, api.school_staff(Role.support))
    mentor_view = await api.client.get(f"/tasks/{assess.id}", headers=mentor)
    assert mentor_view.status_code == 200
    assert "open bij een collega" in mentor_view.text
    assert "Aan een collega geven" not in mentor_view.text
    forged = await api.client.post(
        f"/tasks/{assess.id}",
        data={"csrf": _csrf(mentor_view.text), "action": "reassign", "assignee_id": leader_id},
        headers=mentor,
    )
    assert forged.status_code == 403

    handed = await api.client.post(
        f"/tasks/{assess.id}",
        data={"csrf": _csrf(task_page.text), "action": "reassign", "assignee_id": leader_id},
        headers=leader,
    )
    assert handed.status_code == 303
    # The task's e-mail now reaches someone.
    await mail.wait_for(
        lambda m: api.world.emails[leader_id] in m.to and m.subject.startswith("Nieuwe taak")
    )
