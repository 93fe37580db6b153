"""Right of access and erasure on request, through the API on the real stack.

Four incidents at one board: the subject is the victim in one, the spreader in another,
named in a third's summary without being a person of it, and absent from the fourth (where
only someone with the same first name appears). The export holds the first three and no
other pupil's name; the erasure takes the subject out of all three and nothing else.
"""

import json
from typing import Any

from domain.roles import Role
from store import audit
from store.audit_chain import verify
from store.crypto import unseal
from tests import answers
from tests.fixtures.api import Api
from tests.web.test_incident_and_board import _new_incident, _open_task

SUBJECT = "Sam de Vries"
OTHERS = ("Tim Jansen", "Eva Bakker", "Lisa Smit", "Sam Verbeek")
OTHER_PARTS = ("Tim", "Jansen", "Eva", "Bakker", "Lisa", "Smit", "Verbeek")


async def _incident(api: Api, summary: str, persons: list[tuple[str, str]], note: str) -> str:
    incident_id = await _new_incident(api, summary)
    assess = await _open_task(api, incident_id, "assess")
    answer = answers.assess(
        persons=[{"role": role, "name": name} for role, name in persons], notes=note
    )
    done = await api.client.post(
        f"/api/tasks/{assess.id}/complete",
        json=answer,
        headers=api.as_(api.school_staff(Role.coordinator)),
    )
    assert done.status_code == 200, done.text
    return incident_id


async def _reference(api: Api, incident_id: str) -> str:
    read = await api.client.get(
        f"/api/incidents/{incident_id}", headers=api.as_(api.board_staff(Role.board_admin))
    )
    return str(read.json()["reference"])


async def _world(api: Api) -> dict[str, str]:
    victim_of = await _incident(
        api,
        f"Naaktfoto van {SUBJECT} gedeeld door Tim Jansen",
        [("victim", SUBJECT), ("spreader", "Tim Jansen")],
        "Sam en Tim zaten in dezelfde appgroep",
    )
    mentor = api.school_staff(Role.support)
    support = await _open_task(api, victim_of, "support")
    done = await api.client.post(
        f"/api/tasks/{support.id}/complete",
        json=answers.support(victim_needs="Sam wil niet dat Tim het hoort"),
        headers=api.as_(mentor),
    )
    assert done.status_code == 200, done.text
    spreader_in = await _incident(
        api,
        "Foto van een klasgenoot doorgestuurd",
        [("victim", "Eva Bakker"), ("spreader", SUBJECT)],
        "Eva was erg overstuur",
    )
    named_in = await _incident(
        api,
        f"Screenshot gemaakt; {SUBJECT.upper()} zag het bericht ook",
        [("victim", "Lisa Smit")],
        "Lisa wil geen gesprek",
    )
    # Sam Verbeek is another pupil: a first name alone must not pull this incident in.
    not_theirs = await _incident(
        api,
        "Filmpje rondgestuurd",
        [("victim", "Sam Verbeek"), ("spreader", "Tim Jansen")],
        "Sam zei dat Tim het begon",
    )
    await api.client.post(
        f"/api/incidents/{spreader_in}/new-information",
        json={"text": "De moeder van Sam de Vries belde over het gesprek"},
        headers=api.as_(api.school_staff(Role.coordinator)),
    )
    return {
        "victim_of": victim_of,
        "spreader_in": spreader_in,
        "named_in": named_in,
        "not_theirs": not_theirs,
    }


def _export(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["reference"]: i for i in body["incidents"]}


async def test_the_access_export_of_a_pupil_holds_all_their_incidents_and_nothing_of_others(
    api: Api,
) -> None:
    ids = await _world(api)
    refs = {k: await _reference(api, v) for k, v in ids.items()}
    officer = api.board_staff(Role.privacy_officer)

    response = await api.client.post(
        "/api/privacy/access-requests", json={"name": "sam DE  vries"}, headers=api.as_(officer)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    found = _export(body)
    assert set(found) == {refs["victim_of"], refs["spreader_in"], refs["named_in"]}

    victim = found[refs["victim_of"]]
    assert [(p["role"], p["name"]) for p in victim["as_person"]] == [("victim", SUBJECT)]
    texts = {t["text"] for t in victim["texts"]}
    assert f"Naaktfoto van {SUBJECT} gedeeld door Leerling B" in texts
    by_step = {a["step"]: a["fields"] for a in victim["answers"]}
    assert by_step["assess"]["persons"] == [
        {"role": "victim", "name": SUBJECT, "is_our_pupil": True}
    ]
    assert by_step["assess"]["notes"] == "Sam en Leerling B zaten in dezelfde appgroep"
    # The support of the victim is about them as a whole.
    assert by_step["support"]["said_not_your_fault"] is True
    assert by_step["support"]["victim_needs"] == "Sam wil niet dat Leerling B het hoort"

    spreader = found[refs["spreader_in"]]
    assert [p["role"] for p in spreader["as_person"]] == ["spreader"]
    assert [t["text"] for t in spreader["texts"]] == [
        "De moeder van Sam de Vries belde over het gesprek"
    ]
    assert {a["step"] for a in spreader["answers"]} == {"assess"}

    named = found[refs["named_in"]]
    assert named["as_person"] == []
    assert [t["source"] for t in named["texts"]] == ["incidents"]
    assert named["answers"] == []

    dumped = json.dumps(body)
    for part in OTHER_PARTS:
        assert part not in dumped, f"{part} of another pupil is in the export"

    # Recorded on the board's chain and in each incident's history, without the name.
    async with api.runtime.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT incident_id, actor_id, detail FROM audit_events"
            " WHERE board_id = %s AND kind = 'access_export' ORDER BY id",
            (api.world.board_id,),
        )
        rows = await cur.fetchall()
        cur = await conn.execute(
            "SELECT detail::text AS d FROM audit_events WHERE board_id = %s",
            (api.world.board_id,),
        )
        details = " ".join(r["d"] for r in await cur.fetchall())
    assert {r["incident_id"] for r in rows} == {
        None,
        ids["victim_of"],
        ids["spreader_in"],
        ids["named_in"],
    }
    assert {r["actor_id"] for r in rows} == {officer}
    assert "Sam" not in details and "Vries" not in details
    history = await api.client.get(
        f"/api/incidents/{ids['victim_of']}/history", headers=api.as_(officer)
    )
    assert "access_export" in {e["kind"] for e in history.json()["items"]}


async def test_only_the_privacy_officer_answers_requests(api: Api) -> None:
    for who in (
        api.board_staff(Role.board_admin),
        api.board_staff(Role.auditor),
        api.board_staff(Role.board_safeguarding),
        api.school_staff(Role.coordinator),
    ):
        for path, extra in (("access-requests", {}), ("erasures", {"confirm": True})):
            response = await api.client.post(
                f"/api/privacy/{path}", json={"name": SUBJECT, **extra}, headers=api.as_(who)
            )
            assert response.status_code == 403, (path, response.text)
            assert "privacy officer" in response.json()["detail"]
    # The privacy officer reads histories like an auditor; they do not work on incidents.
    officer = api.board_staff(Role.privacy_officer)
    tasks = await api.client.get("/api/me/tasks", headers=api.as_(officer))
    assert tasks.json() == []


async def test_erasure_on_request_takes_the_pupil_out_of_every_incident_and_nothing_else(
    api: Api,
) -> None:
    ids = await _world(api)
    officer = api.board_staff(Role.privacy_officer)
    unconfirmed = await api.client.post(
        "/api/privacy/erasures", json={"name": SUBJECT}, headers=api.as_(officer)
    )
    assert unconfirmed.status_code == 422

    erased = await api.client.post(
        "/api/privacy/erasures", json={"name": SUBJECT, "confirm": True}, headers=api.as_(officer)
    )
    assert erased.status_code == 200, erased.text
    counts = {i["reference"]: i for i in erased.json()["incidents"]}
    assert len(counts) == 3
    assert sum(i["persons"] for i in counts.values()) == 2

    again = await api.client.post(
        "/api/privacy/access-requests", json={"name": SUBJECT}, headers=api.as_(officer)
    )
    assert again.json()["incidents"] == []
    twice = await api.client.post(
        "/api/privacy/erasures", json={"name": SUBJECT, "confirm": True}, headers=api.as_(officer)
    )
    assert twice.status_code == 404
    assert "access export" in twice.json()["detail"]

    async with api.runtime.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT p.incident_id, p.label, p.name FROM incident_persons p"
            " JOIN incidents i ON i.id = p.incident_id WHERE i.board_id = %s",
            (api.world.board_id,),
        )
        names = {
            (r["incident_id"], r["label"]): unseal(
                r["name"], table="incident_persons", column="name"
            )
            for r in await cur.fetchall()
        }
        cur = await conn.execute(
            "SELECT id, summary FROM incidents WHERE board_id = %s", (api.world.board_id,)
        )
        summaries = {
            r["id"]: unseal(r["summary"], table="incidents", column="summary")
            for r in await cur.fetchall()
        }
        cur = await conn.execute(
            "SELECT n.body FROM notes n WHERE n.incident_id = %s", (ids["spreader_in"],)
        )
        notes = [unseal(r["body"], table="notes", column="body") for r in await cur.fetchall()]
        events = await audit.events_of_incident(conn, incident_id=ids["victim_of"])
    # Their entries keep their label; every other pupil keeps their name.
    assert names[(ids["victim_of"], "Leerling A")] == ""
    assert names[(ids["spreader_in"], "Leerling B")] == ""
    assert sorted(n for n in names.values() if n) == sorted(
        ["Tim Jansen", "Eva Bakker", "Lisa Smit", "Sam Verbeek", "Tim Jansen"]
    )
    assert summaries[ids["victim_of"]] == "Naaktfoto van Leerling A gedeeld door Tim Jansen"
    assert summaries[ids["named_in"]] == "Screenshot gemaakt; [gewist] zag het bericht ook"
    assert summaries[ids["not_theirs"]] == "Filmpje rondgestuurd"
    assert notes == ["De moeder van Leerling B belde over het gesprek"]
    erasure = [e for e in events if e.kind == "personal_data_erased"]
    assert len(erasure) == 1 and erasure[0].actor_id == officer
    assert erasure[0].detail["reason"] == "request"
    assert (await verify(api.runtime.pool, board_id=api.world.board_id)).intact
