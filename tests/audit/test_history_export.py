"""A full incident's history exported as JSON, CSV and a printable page, by an auditor.

The incident runs through the API on the real stack; the export holds every transition and
every view in the order they were written, merged by time with Temporal's own events.
"""

import asyncio
import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from api import history as history_module
from api.auth import SESSION_COOKIE
from domain.roles import Role
from store import sessions
from tests import answers
from tests.api.test_full_incident import _do
from tests.fixtures.api import Api


async def _full_incident(api: Api) -> str:
    coordinator = api.school_staff(Role.coordinator)
    mentor = api.school_staff(Role.support)
    leader = api.school_staff(Role.school_leader)
    comms = api.board_staff(Role.communications)
    created = await api.client.post(
        "/api/incidents",
        json={"school_id": api.world.school.id, "summary": "Naaktfoto in de klassenapp"},
        headers=api.as_(coordinator),
    )
    assert created.status_code == 201, created.text
    incident_id: str = created.json()["id"]
    await _do(api, coordinator, "assess", answers.assess(media_risk=True))
    await _do(api, mentor, "support", answers.support())
    await _do(api, coordinator, "report", answers.report())
    await _do(api, coordinator, "remove", answers.remove())
    await _do(api, leader, "confront", answers.confront())
    await _do(api, leader, "inform", answers.inform())
    await _do(api, comms, "media", answers.media(comms))
    await _do(api, leader, "evaluate", answers.evaluate())
    for _ in range(200):
        read = await api.client.get(f"/api/incidents/{incident_id}", headers=api.as_(leader))
        if read.json()["status"] == "closed":
            break
        await asyncio.sleep(0.05)
    assert read.json()["status"] == "closed"
    return incident_id


async def _audit_rows(api: Api, incident_id: str) -> list[dict[str, Any]]:
    async with api.runtime.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT kind, actor_id, task_id, at, detail FROM audit_events"
            " WHERE incident_id = %s ORDER BY id",
            (incident_id,),
        )
        return list(await cur.fetchall())


async def _wait_for_temporal_close(api: Api, incident_id: str) -> None:
    for _ in range(100):
        got = await api.client.get(
            f"/api/incidents/{incident_id}/history",
            headers=api.as_(api.board_staff(Role.auditor)),
        )
        if any(i["kind"] == "temporal:WorkflowExecutionCompleted" for i in got.json()["items"]):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the workflow never completed")


async def test_the_exported_history_holds_every_transition_and_view_in_order(api: Api) -> None:
    incident_id = await _full_incident(api)
    auditor = api.board_staff(Role.auditor)
    leader = api.school_staff(Role.school_leader)
    await _wait_for_temporal_close(api, incident_id)
    viewed = await api.client.get(f"/api/incidents/{incident_id}", headers=api.as_(leader))
    assert viewed.status_code == 200

    exported = await api.client.get(
        f"/api/incidents/{incident_id}/history?format=json", headers=api.as_(auditor)
    )
    assert exported.status_code == 200, exported.text
    body = exported.json()
    assert body["temporal_history"] == "included"
    items = body["items"]

    # The audit part is the audit log itself, event for event, in the order it was written.
    rows = await _audit_rows(api, incident_id)
    audit_part = [i for i in items if i["source"] == "audit"]
    assert [(i["kind"], i["actor"], i["task"]) for i in audit_part] == [
        (r["kind"], r["actor_id"], r["task_id"]) for r in rows
    ]
    assert [datetime.fromisoformat(i["at"]) for i in audit_part] == [r["at"] for r in rows]
    kinds = [i["kind"] for i in audit_part]
    assert kinds[0] in ("incident_created", "incident_opened")
    assert {"incident_created", "incident_opened"} <= set(kinds[:3])
    # Every task opened before it was done, every task done before the incident closed.
    opened = {i["task"]: n for n, i in enumerate(audit_part) if i["kind"] == "task_opened"}
    done = {i["task"]: n for n, i in enumerate(audit_part) if i["kind"] == "task_done"}
    assert len(done) >= 8 and set(done) <= set(opened)
    assert all(opened[task] < n for task, n in done.items())
    closed = kinds.index("incident_closed")
    assert all(n < closed for n in done.values())
    # Every view, with its viewer; and this export, the last thing written.
    views = [i for i in audit_part if i["kind"] == "incident_viewed"]
    assert views[-1]["actor"] == leader
    assert kinds.index("incident_closed") < len(kinds) - 1 - kinds[::-1].index("incident_viewed")
    assert kinds[-1] == "history_exported" and audit_part[-1]["detail"] == {"format": "json"}
    assert audit_part[-1]["actor"] == auditor

    # Temporal's events: the workflow, its updates (the answers), timers and attempts.
    temporal = [i for i in items if i["source"] == "temporal"]
    tkinds = {i["kind"] for i in temporal}
    assert {
        "temporal:WorkflowExecutionStarted",
        "temporal:WorkflowExecutionUpdateAccepted",
        "temporal:WorkflowExecutionUpdateCompleted",
        "temporal:TimerStarted",
        "temporal:ActivityTaskScheduled",
        "temporal:ActivityTaskStarted",
        "temporal:WorkflowExecutionCompleted",
    } <= tkinds
    assert not any(k.startswith("temporal:WorkflowTask") for k in tkinds)
    started = [i for i in temporal if i["kind"] == "temporal:ActivityTaskStarted"]
    assert all(i["detail"]["attempt"] >= 1 and i["detail"]["activity"] for i in started)
    updates = [i for i in temporal if i["kind"] == "temporal:WorkflowExecutionUpdateAccepted"]
    assert len(updates) >= 8 and all(i["detail"]["update"] for i in updates)
    timers = [i for i in temporal if i["kind"] == "temporal:TimerStarted"]
    assert all(i["detail"]["seconds"] > 0 and i["detail"]["timer_id"] for i in timers)
    times = [datetime.fromisoformat(i["at"]) for i in temporal]
    assert times == sorted(times)
    # No payload ever: the items carry ids, names, numbers.
    assert "payload" not in exported.text.lower()
    assert "Naaktfoto" not in exported.text
    # Merged by time: the workflow started no earlier than the incident's first event, and
    # completed before the leader's last view.
    start = next(i for i, x in enumerate(items) if x["kind"] == "temporal:WorkflowExecutionStarted")
    end = next(i for i, x in enumerate(items) if x["kind"] == "temporal:WorkflowExecutionCompleted")
    assert start < end < max(i for i, x in enumerate(items) if x["kind"] == "incident_viewed")


async def test_csv_and_the_printable_page(api: Api) -> None:
    incident_id = await _full_incident(api)
    auditor = api.board_staff(Role.auditor)
    await _wait_for_temporal_close(api, incident_id)

    response = await api.client.get(
        f"/api/incidents/{incident_id}/history?format=csv", headers=api.as_(auditor)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == ["at", "source", "kind", "step", "task", "actor", "detail"]
    kinds = [row[2] for row in table[1:]]
    assert "incident_closed" in kinds and "temporal:TimerStarted" in kinds
    assert kinds.count("task_done") >= 8
    last_audit = [row for row in table[1:] if row[1] == "audit"][-1]
    assert last_audit[2] == "history_exported" and json.loads(last_audit[6]) == {"format": "csv"}
    assert all(datetime.fromisoformat(row[0]).tzinfo is not None for row in table[1:])

    async with api.runtime.pool.connection() as conn:
        token = await sessions.create_session(conn, staff_id=auditor, ttl=timedelta(hours=1))
    page = await api.client.get(
        f"/incidents/{incident_id}/history/print",
        headers={"accept": "text/html", "cookie": f"{SESSION_COOKIE}={token}"},
    )
    assert page.status_code == 200, page.text
    html = page.text
    assert '<html lang="nl">' in html
    assert "Geschiedenis van incident RG-" in html
    assert "Het incident is afgerond." in html
    assert "Timer " in html and "Activiteit " in html and "Update " in html
    assert 'class="history"' in html and "@media print" not in html  # the CSS is a file
    css = await api.client.get("/static/regie.css")
    assert "@media print" in css.text
    rows = await _audit_rows(api, incident_id)
    assert rows[-1]["kind"] == "history_exported" and rows[-1]["detail"] == {"format": "print"}
    assert rows[-1]["actor_id"] == auditor

    # Someone of another school may not print it; 404 as for every incident one may not see.
    other = api.school_staff(Role.coordinator, school=1)
    async with api.runtime.pool.connection() as conn:
        token = await sessions.create_session(conn, staff_id=other, ttl=timedelta(hours=1))
    refused = await api.client.get(
        f"/incidents/{incident_id}/history/print",
        headers={"accept": "text/html", "cookie": f"{SESSION_COOKIE}={token}"},
    )
    assert refused.status_code in (403, 404)
    refused_csv = await api.client.get(
        f"/api/incidents/{incident_id}/history?format=csv", headers=api.as_(other)
    )
    assert refused_csv.status_code in (403, 404)


async def test_the_export_says_so_when_temporal_no_longer_has_the_history(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = api.school_staff(Role.coordinator)
    created = await api.client.post(
        "/api/incidents",
        json={"school_id": api.world.school.id, "summary": "Beelden gedeeld"},
        headers=api.as_(coordinator),
    )
    incident_id = created.json()["id"]
    # As after the namespace's retention period: Temporal has no such workflow any more.
    monkeypatch.setattr(history_module, "incident_workflow_id", lambda _id: "gone-" + _id)
    response = await api.client.get(
        f"/api/incidents/{incident_id}/history?format=json",
        headers=api.as_(api.board_staff(Role.auditor)),
    )
    body = response.json()
    assert response.status_code == 200
    assert body["temporal_history"] == "unavailable"
    assert "no longer keeps" in body["note"]
    assert body["items"] and all(i["source"] == "audit" for i in body["items"])
    assert body["items"][0]["kind"] in ("incident_created", "incident_opened")
