"""A full incident driven through the HTTP API, every task done by its assignee's token."""

import asyncio
from typing import Any

from domain.roles import Role
from tests import answers
from tests.fixtures.api import Api


async def _do(api: Api, staff_id: str, kind: str, answer: dict[str, Any]) -> dict[str, Any]:
    task = await api.my_task(staff_id, kind)
    detail = await api.client.get(f"/api/tasks/{task['id']}", headers=api.as_(staff_id))
    assert detail.status_code == 200
    body = detail.json()
    assert body["form_schema"]["type"] == "object" and body["guidance"]
    response = await api.client.post(
        f"/api/tasks/{task['id']}/complete", json=answer, headers=api.as_(staff_id)
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    assert result["accepted"] is True
    return result


async def test_an_incident_from_start_to_close_through_the_api(api: Api) -> None:
    school = api.world.school
    coordinator = api.school_staff(Role.coordinator)
    mentor = api.school_staff(Role.support)
    leader = api.school_staff(Role.school_leader)
    comms = api.board_staff(Role.communications)

    created = await api.client.post(
        "/api/incidents",
        json={"school_id": school.id, "summary": "Naaktfoto gedeeld in de klassenapp"},
        headers=api.as_(coordinator),
    )
    assert created.status_code == 201, created.text
    incident = created.json()
    assert incident["status"] == "open" and incident["reference"].startswith("RG-")
    incident_id = incident["id"]

    support_guidance = await api.my_task(mentor, "support")
    page = await api.client.get(f"/api/tasks/{support_guidance['id']}", headers=api.as_(mentor))
    assert "Het is niet jouw schuld" in page.json()["guidance"]

    assessed = await _do(api, coordinator, "assess", answers.assess(media_risk=True))
    assert set(assessed["opens"]) >= {"report", "confront", "media"}
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
    body = read.json()
    assert body["status"] == "closed"
    assert [s["step"] for s in body["steps"]] == [
        "assess", "support", "report", "remove", "confront", "inform", "media", "evaluate"
    ]  # fmt: skip
    assert all(s["status"] == "done" for s in body["steps"])

    history = await api.client.get(
        f"/api/incidents/{incident_id}/history", headers=api.as_(api.board_staff(Role.auditor))
    )
    assert history.status_code == 200
    # The audit log's part of the history; Temporal's events are merged in beside it.
    kinds = [i["kind"] for i in history.json()["items"] if i["source"] == "audit"]
    assert kinds[0] == "incident_created" or "incident_opened" in kinds[:2]
    assert "incident_closed" in kinds
    # Every view of the incident's details is in the log with its viewer.
    viewers = {i["actor"] for i in history.json()["items"] if i["kind"] == "incident_viewed"}
    assert leader in viewers

    # The e-mails each person got: one per task, to the right address.
    received: dict[str, int] = {}
    assert api.runtime.mail_catcher is not None
    for message in api.runtime.mail_catcher.messages():
        if any("/t/" in link for link in message.links):
            for address in message.to:
                received[address] = received.get(address, 0) + 1
    emails = api.world.emails
    assert received[emails[coordinator]] == 3  # assess, report, remove
    assert received[emails[mentor]] == 1
    assert received[emails[leader]] == 3  # confront, inform, evaluate
    assert received[emails[comms]] == 1
