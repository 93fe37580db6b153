"""`tasks.get_task_and_incident`: what every request about a task reads first, in one
statement, equal to reading the task and then its incident."""

from datetime import UTC, datetime, timedelta

from domain.roles import Role
from store import incidents, tasks
from store.db import Pool
from store.directory import new_id
from tests.fixtures.world import World


async def test_the_task_and_its_incident_are_those_read_one_by_one(
    pool: Pool, world: World
) -> None:
    now = datetime.now(UTC)
    task_id = new_id()
    async with pool.connection() as conn:
        incident = await incidents.create_incident(
            conn, school_id=world.school.id, summary="test", created_by=None
        )
        await tasks.insert_open(
            conn,
            task_id=task_id,
            incident_id=incident.id,
            step="support",
            kind="support",
            assignee_id=world.school.staff[Role.support],
            urgent=True,
            opened_at=now,
            due_at=now + timedelta(days=1),
        )
        found = await tasks.get_task_and_incident(conn, task_id=task_id)
        assert found is not None
        task, joined = found
        assert task == await tasks.get_task(conn, task_id=task_id)
        assert joined == await incidents.get_incident(conn, incident_id=incident.id)
        assert joined is not None and joined.school_id == world.school.id


async def test_an_unknown_task_is_none(pool: Pool) -> None:
    async with pool.connection() as conn:
        assert await tasks.get_task_and_incident(conn, task_id=new_id()) is None
