"""The task read model: what lists, dashboards and the task page read. The workflow is the truth."""

from dataclasses import dataclass, fields
from datetime import datetime

from store.directory import Conn
from store.incidents import Incident


@dataclass(frozen=True)
class TaskRow:
    id: str
    incident_id: str | None  # None for a task of the yearly policy review
    step: str
    kind: str
    assignee_id: str | None
    status: str
    urgent: bool
    opened_at: datetime | None
    due_at: datetime | None
    closed_at: datetime | None
    escalation_level: int
    assignment: int
    answer_id: str | None
    review_id: str | None = None


# The columns are the rows' fields, in order: one list for the dataclass and the queries.
_FIELDS = tuple(field.name for field in fields(TaskRow))
_COLUMNS = ", ".join(_FIELDS)
_INCIDENT_FIELDS = tuple(field.name for field in fields(Incident) if field.name != "id")
_TASK_AND_INCIDENT = (
    "SELECT "
    + ", ".join([f"t.{f}" for f in _FIELDS] + [f"i.{f} AS i_{f}" for f in _INCIDENT_FIELDS])
    + " FROM tasks t LEFT JOIN incidents i ON i.id = t.incident_id WHERE t.id = %s"
)


async def insert_waiting(
    conn: Conn, *, incident_id: str, planned: list[tuple[str, str, str]]
) -> None:
    """The tasks the plan will open, as (task id, step, kind), so every task id is known."""
    async with conn.cursor() as cur:
        # executemany sends the rows in one round trip (libpq's pipeline), not one per task.
        await cur.executemany(
            "INSERT INTO tasks (id, incident_id, step, kind, status) VALUES (%s, %s, %s, %s,"
            " 'waiting') ON CONFLICT (id) DO NOTHING",
            [(task_id, incident_id, step, kind) for task_id, step, kind in planned],
        )


async def insert_open(
    conn: Conn,
    *,
    task_id: str,
    incident_id: str,
    step: str,
    kind: str,
    assignee_id: str,
    urgent: bool,
    opened_at: datetime,
    due_at: datetime,
) -> bool:
    """Open the task (new, or planned and waiting); False when a retry finds it open already."""
    cur = await conn.execute(
        """
        INSERT INTO tasks (id, incident_id, step, kind, assignee_id, status, urgent, opened_at,
                           due_at)
        VALUES (%s, %s, %s, %s, %s, 'open', %s, %s, %s)
        ON CONFLICT (id) DO UPDATE
            SET status = 'open', assignee_id = EXCLUDED.assignee_id, urgent = EXCLUDED.urgent,
                opened_at = EXCLUDED.opened_at, due_at = EXCLUDED.due_at
            WHERE tasks.status IN ('waiting', 'skipped')
        """,
        (task_id, incident_id, step, kind, assignee_id, urgent, opened_at, due_at),
    )
    return cur.rowcount == 1


async def mark_skipped(conn: Conn, *, task_id: str) -> None:
    await conn.execute(
        "UPDATE tasks SET status = 'skipped' WHERE id = %s AND status = 'waiting'", (task_id,)
    )


async def get_task(conn: Conn, *, task_id: str) -> TaskRow | None:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM tasks WHERE id = %s", (task_id,))
    row = await cur.fetchone()
    return TaskRow(**row) if row else None


async def get_task_and_incident(
    conn: Conn, *, task_id: str
) -> tuple[TaskRow, Incident | None] | None:
    """A task and its incident (None for a task of the yearly review) in one statement: a
    request about a task checks the incident's board and school before anything else."""
    cur = await conn.execute(_TASK_AND_INCIDENT, (task_id,))
    row = await cur.fetchone()
    if row is None:
        return None
    task = TaskRow(**{f: row[f] for f in _FIELDS})
    if task.incident_id is None or row["i_reference"] is None:
        return task, None
    fields = {f: row[f"i_{f}"] for f in _INCIDENT_FIELDS}
    return task, Incident(id=task.incident_id, **fields)


async def tasks_of_incident(conn: Conn, *, incident_id: str) -> list[TaskRow]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM tasks WHERE incident_id = %s ORDER BY opened_at, id",
        (incident_id,),
    )
    return [TaskRow(**row) for row in await cur.fetchall()]


async def open_tasks_of(conn: Conn, *, assignee_id: str) -> list[TaskRow]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM tasks WHERE assignee_id = %s AND status = 'open'"
        " ORDER BY due_at, id",
        (assignee_id,),
    )
    return [TaskRow(**row) for row in await cur.fetchall()]


async def close(
    conn: Conn, *, task_id: str, status: str, at: datetime, answer_id: str | None
) -> bool:
    """Close an open or waiting task; with `answer_id`, that answer is the one taken (also on
    a retry that finds the task closed already). One statement for both."""
    cur = await conn.execute(
        """
        WITH accepted AS (
            UPDATE answers SET status = 'accepted' WHERE id = %(answer)s
        )
        UPDATE tasks SET status = %(status)s, closed_at = %(at)s, answer_id = %(answer)s
        WHERE id = %(task)s AND status IN ('open', 'waiting')
        """,
        {"status": status, "at": at, "answer": answer_id, "task": task_id},
    )
    return cur.rowcount == 1


async def reopen(conn: Conn, *, task_id: str) -> None:
    await conn.execute(
        "UPDATE tasks SET status = 'open', closed_at = NULL, answer_id = NULL WHERE id = %s",
        (task_id,),
    )


async def reassign(conn: Conn, *, task_id: str, assignee_id: str, assignment: int) -> bool:
    cur = await conn.execute(
        "UPDATE tasks SET assignee_id = %s, assignment = %s WHERE id = %s AND assignment < %s",
        (assignee_id, assignment, task_id, assignment),
    )
    return cur.rowcount == 1


async def mark_reminded(conn: Conn, *, task_id: str, at: datetime) -> None:
    await conn.execute(
        "UPDATE tasks SET reminded_at = coalesce(reminded_at, %s) WHERE id = %s", (at, task_id)
    )


async def raise_escalation(conn: Conn, *, task_id: str, level: int) -> None:
    await conn.execute(
        "UPDATE tasks SET escalation_level = greatest(escalation_level, %s) WHERE id = %s",
        (level, task_id),
    )


async def insert_review_task(
    conn: Conn,
    *,
    task_id: str,
    review_id: str,
    kind: str,
    assignee_id: str,
    opened_at: datetime,
    due_at: datetime,
) -> bool:
    cur = await conn.execute(
        """
        INSERT INTO tasks (id, review_id, step, kind, assignee_id, status, opened_at, due_at)
        VALUES (%s, %s, 'policy_review', %s, %s, 'open', %s, %s) ON CONFLICT (id) DO NOTHING
        """,
        (task_id, review_id, kind, assignee_id, opened_at, due_at),
    )
    return cur.rowcount == 1


async def tasks_of_review(conn: Conn, *, review_id: str) -> list[TaskRow]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM tasks WHERE review_id = %s ORDER BY opened_at, id", (review_id,)
    )
    return [TaskRow(**row) for row in await cur.fetchall()]
