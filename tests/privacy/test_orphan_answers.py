"""Answers stored but never taken (a retry during an outage stored another) go once their task
is closed another way; answers a workflow may still take stay."""

from datetime import UTC, datetime, timedelta

from domain.forms.assess import PersonRole
from store import answers, incidents, retention
from store.db import Pool
from store.directory import new_id
from tests.fixtures.world import World


async def _task(pool: Pool, incident_id: str, status: str) -> str:
    task_id = new_id()
    async with pool.connection() as conn:
        await conn.execute(
            "INSERT INTO tasks (id, incident_id, step, kind, status) VALUES (%s, %s, 'assess',"
            " 'assess', %s)",
            (task_id, incident_id, status),
        )
    return task_id


async def _answer(pool: Pool, world: World, incident_id: str, task_id: str, name: str) -> str:
    actor = next(iter(world.school.staff.values()))
    async with pool.connection() as conn:
        answer_id = await answers.insert_pending(
            conn, task_id=task_id, incident_id=incident_id, kind="assess", actor_id=actor,
            body={"persons": [{"role": "victim", "name": name}]},
        )  # fmt: skip
        await incidents.add_persons(
            conn,
            incident_id=incident_id,
            persons=[(PersonRole.victim, name, True)],
            answer_id=answer_id,
        )
    return answer_id


async def test_orphans_of_closed_tasks_go_and_everything_else_stays(
    pool: Pool, world: World
) -> None:
    async with pool.connection() as conn:
        incident = await incidents.create_incident(
            conn, school_id=world.school.id, summary="", created_by=None
        )
    closed = await _task(pool, incident.id, "open")
    orphan = await _answer(pool, world, incident.id, closed, "Otto Wees")
    taken = await _answer(pool, world, incident.id, closed, "Otto Wees")
    async with pool.connection() as conn:
        await conn.execute(
            "UPDATE tasks SET status = 'done', answer_id = %s WHERE id = %s", (taken, closed)
        )
        await answers.accept(conn, answer_id=taken)
    still_open = await _task(pool, incident.id, "open")
    waiting = await _answer(pool, world, incident.id, still_open, "Wim Wachter")

    now = datetime.now(UTC)
    async with pool.connection() as conn:
        # Too young: its workflow may still take it.
        assert await retention.discard_orphan_answers(conn, now=now) == 0
        later = now + timedelta(days=2)
        assert await retention.discard_orphan_answers(conn, now=later, dry_run=True) == 1
        assert await retention.discard_orphan_answers(conn, now=later) == 1
        assert await retention.discard_orphan_answers(conn, now=later) == 0
        cur = await conn.execute(
            "SELECT id FROM answers WHERE incident_id = %s ORDER BY id", (incident.id,)
        )
        left = {r["id"] for r in await cur.fetchall()}
        cur = await conn.execute(
            "SELECT answer_id FROM incident_persons WHERE incident_id = %s", (incident.id,)
        )
        persons = {r["answer_id"] for r in await cur.fetchall()}
    assert left == {taken, waiting} and orphan not in left
    assert persons == {taken, waiting}
