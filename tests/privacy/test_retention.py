"""Retention: the daily RetentionWorkflow erases exactly what is past its board's term."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest_asyncio
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from domain.forms.assess import PersonRole
from domain.retention import anonymous_answer, is_due, term_ends
from notifications.catcher import MailCatcher
from store import answers, audit, documents, incidents, lessons, overview, policy_reviews
from store import retention as store_retention
from store.audit_chain import verify
from store.crypto import unseal
from store.db import Pool
from store.directory import new_id
from tests.fixtures.temporal import BIN
from tests.fixtures.world import World, make_world, running_worker
from workflows.contracts import ErasureReport, RetentionInput
from workflows.retention import RetentionWorkflow


@pytest_asyncio.fixture
async def own_time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of this test's own, whose clock no other test feels."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    try:
        yield env
    finally:
        await env.shutdown()


async def _closed_incident(pool: Pool, world: World, *, closed_at: datetime, name: str) -> str:
    """A closed incident naming `name` everywhere personal data may sit."""
    school = world.school.id
    async with pool.connection() as conn:
        incident = await incidents.create_incident(
            conn, school_id=school, summary=f"Foto van {name} gedeeld", created_by=None
        )
        await incidents.add_persons(
            conn, incident_id=incident.id, persons=[(PersonRole.victim, name, True)]
        )
        task_id = new_id()
        await conn.execute(
            "INSERT INTO tasks (id, incident_id, step, kind, status, opened_at, due_at,"
            " closed_at) VALUES (%s, %s, 'assess', 'assess', 'done', %s, %s, %s)",
            (task_id, incident.id, closed_at - timedelta(days=3), closed_at - timedelta(days=1),
             closed_at - timedelta(days=2)),
        )  # fmt: skip
        answer_id = await answers.insert_pending(
            conn,
            task_id=task_id,
            incident_id=incident.id,
            kind="assess",
            actor_id=world.school.staff[next(iter(world.school.staff))],
            body={
                "image_kinds": ["nude_or_sexual"],
                "possible_csam": False,
                "channel_count": 1,
                "persons": [{"role": "victim", "name": name, "is_our_pupil": True}],
                "channels": [{"kind": "app_group", "description": f"groep van {name}"}],
                "person_counts": {"victim": 1},
                "description": f"{name} op de foto",
            },
        )
        await answers.accept(conn, answer_id=answer_id)
        await answers.insert_note(
            conn,
            incident_id=incident.id,
            kind="new_information",
            body=f"{name} belde",
            actor_id=None,
        )
        await documents.upsert(
            conn, document_id=new_id(), incident_id=incident.id, task_id=None,
            kind="parent_letter", body=f"Beste ouders van {name}", status="sent",
        )  # fmt: skip
        await lessons.store_lessons(
            conn, incident_id=incident.id, went_well=f"{name} gesteund",
            can_be_better="sneller", policy_change_needed=True, policy_change=f"na {name}",
        )  # fmt: skip
        await conn.execute(
            "UPDATE incidents SET status = 'closed', closed_at = %s, created_at = %s WHERE id = %s",
            (closed_at, closed_at - timedelta(days=5), incident.id),
        )
        await conn.execute(
            "UPDATE lessons SET created_at = %s WHERE incident_id = %s", (closed_at, incident.id)
        )
    return incident.id


async def _statistics(pool: Pool, world: World, now: datetime) -> dict[str, Any]:
    since = now - timedelta(days=5 * 365)
    async with pool.connection() as conn:
        return {
            "schools": await overview.school_counts(conn, board_id=world.board_id),
            "per_month": await overview.incidents_per_month(
                conn, board_id=world.board_id, since=since
            ),
            "deadlines": await overview.deadlines_per_month(
                conn, board_id=world.board_id, since=since
            ),
            "year": await policy_reviews.year_stats(
                conn, school_id=world.school.id, since=since, until=now
            ),
        }


async def _texts(pool: Pool, incident_id: str) -> list[str]:
    """Every personal text of the incident, decrypted."""
    async with pool.connection() as conn:
        found = [name for _label, name in await incidents.persons(conn, incident_ids=[incident_id])]
        cur = await conn.execute("SELECT id FROM answers WHERE incident_id = %s", (incident_id,))
        for row in await cur.fetchall():
            found.append(repr(await answers.get_body(conn, answer_id=row["id"])))
        found += [d["body"] for d in await documents.of_incident(
            conn, incident_id=incident_id, kind="parent_letter")]  # fmt: skip
        cur = await conn.execute("SELECT * FROM lessons WHERE incident_id = %s", (incident_id,))
        found += [repr(lessons.unseal_row(r)) for r in await cur.fetchall()]
        cur = await conn.execute("SELECT summary FROM incidents WHERE id = %s", (incident_id,))
        incident_row = await cur.fetchone()
        assert incident_row is not None
        found.append(unseal(incident_row["summary"], table="incidents", column="summary"))
        cur = await conn.execute("SELECT body FROM notes WHERE incident_id = %s", (incident_id,))
        found += [unseal(r["body"], table="notes", column="body")
                  for r in await cur.fetchall()]  # fmt: skip
    return found


async def test_retention_erases_exactly_what_is_past_its_term(
    own_time_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    env = own_time_env
    world = await make_world(pool, schools=1)
    now = await env.get_current_time()
    old = await _closed_incident(pool, world, closed_at=now - timedelta(days=3 * 365), name="Ayla")
    recent = await _closed_incident(pool, world, closed_at=now - timedelta(days=365), name="Bram")
    assert any("Ayla" in t for t in await _texts(pool, old))
    before = await _statistics(pool, world, now)

    # Without automatic skipping: the server would otherwise jump years ahead while waiting
    # for a result, and the workflow's clock is what decides what is past its term.
    with env.auto_time_skipping_disabled():
        async with running_worker(env.client, pool, mail) as h:
            dry = await env.client.execute_workflow(
                RetentionWorkflow.run, RetentionInput(dry_run=True),
                id=f"retention-dry-{world.tag}", task_queue=h.task_queue,
            )  # fmt: skip
            assert isinstance(dry, ErasureReport) and dry.dry_run and dry.incidents >= 1
            async with pool.connection() as conn:
                due = await store_retention.due_for_erasure(conn, now=await env.get_current_time())
            assert dry.incidents == sum(len(ids) for ids in due.values())
            assert due[world.board_id] == [old]  # the dry run lists the old one only …
            assert any("Ayla" in t for t in await _texts(pool, old))  # … and erases nothing

            report = await env.client.execute_workflow(
                RetentionWorkflow.run, RetentionInput(),
                id=f"retention-{world.tag}", task_queue=h.task_queue,
            )  # fmt: skip
    assert report.incidents >= 1 and report.persons >= 1 and not report.dry_run

    texts = await _texts(pool, old)
    assert not any("Ayla" in t for t in texts), texts
    assert any("Bram" in t for t in await _texts(pool, recent))
    async with pool.connection() as conn:
        assert await incidents.persons(conn, incident_ids=[old]) == [("Leerling A", "")]
        erased = [
            e for e in await audit.events_of_incident(conn, incident_id=old)
            if e.kind == "personal_data_erased"
        ]  # fmt: skip
        assert len(erased) == 1
        assert erased[0].detail == {
            "reason": "retention", "persons": 1, "answers": 1, "notes": 1, "documents": 1,
            "lessons": 1,
        }  # fmt: skip
        assert not [
            e for e in await audit.events_of_incident(conn, incident_id=recent)
            if e.kind == "personal_data_erased"
        ]  # fmt: skip
        assert world.board_id not in await store_retention.due_for_erasure(conn, now=now)
        # A second erasure changes nothing and records nothing.
        assert await store_retention.erase_incident(conn, incident_id=old, at=now) is None
    assert (await verify(pool, board_id=world.board_id)).intact
    assert await _statistics(pool, world, now) == before

    # A year and more later the other one is past its term too.
    await env.sleep(timedelta(days=367))
    with env.auto_time_skipping_disabled():
        async with running_worker(env.client, pool, mail) as h:
            await env.client.execute_workflow(
                RetentionWorkflow.run, RetentionInput(),
                id=f"retention-later-{world.tag}", task_queue=h.task_queue,
            )  # fmt: skip
    assert not any("Bram" in t for t in await _texts(pool, recent))
    assert (await verify(pool, board_id=world.board_id)).intact
    assert await _statistics(pool, world, now) == before


def test_the_term_and_what_of_an_answer_stays() -> None:
    closed = datetime.fromisoformat("2024-02-29T10:00:00+01:00")
    assert term_ends(closed, "P2Y") == datetime.fromisoformat("2026-02-28T10:00:00+01:00")
    assert term_ends(closed, "P1M10D") == datetime.fromisoformat("2024-04-08T10:00:00+01:00")
    later = datetime.fromisoformat("2026-03-01T00:00:00+01:00")
    assert is_due(status="closed", closed_at=closed, term="P2Y", now=later)
    assert is_due(status="cancelled", closed_at=closed, term="P2Y", now=later)
    assert not is_due(status="open", closed_at=closed, term="P2Y", now=later)
    assert not is_due(status="closed", closed_at=closed, term="P3Y", now=later)
    assert anonymous_answer(
        {"image_kinds": ["violent"], "ok": True, "n": 2, "text": "Ayla", "persons": [{"a": 1}],
         "counts": {"victim": 1}, "words": ["Ayla belde"]}
    ) == {"image_kinds": ["violent"], "ok": True, "n": 2, "counts": {"victim": 1}}  # fmt: skip
