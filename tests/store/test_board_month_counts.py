"""The board overview's counts per month are kept by the database as rows are written
(migration 0009), and always equal a count over the rows themselves."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

from store import directory, incidents, overview, tasks
from store.db import open_pool
from store.directory import Conn, new_id
from tests.fixtures.database import migrated_across

# What the overview counted before the table existed: every incident and closed task.
RECOUNT = """
    SELECT month, sum(incidents) AS incidents, sum(met) AS met, sum(missed) AS missed
    FROM (
        SELECT board_month_of(created_at) AS month, count(*) AS incidents, 0 AS met, 0 AS missed
        FROM incidents WHERE board_id = %(board)s GROUP BY 1
        UNION ALL
        SELECT board_month_of(t.closed_at), 0,
               count(*) FILTER (WHERE t.closed_at <= t.due_at),
               count(*) FILTER (WHERE t.closed_at > t.due_at)
        FROM tasks t JOIN incidents i ON i.id = t.incident_id
        WHERE i.board_id = %(board)s AND t.status IN ('done', 'not_applicable')
          AND t.due_at IS NOT NULL AND t.closed_at IS NOT NULL
        GROUP BY 1
    ) counted
    GROUP BY month
"""

Counts = dict[str, tuple[int, int, int]]  # month -> (incidents, met, missed)


async def _kept(conn: Conn, board: str) -> Counts:
    cur = await conn.execute(
        "SELECT month, incidents, deadlines_met, deadlines_missed FROM board_month_counts"
        " WHERE board_id = %s",
        (board,),
    )
    return {
        str(r["month"]): (r["incidents"], r["deadlines_met"], r["deadlines_missed"])
        for r in await cur.fetchall()
        if r["incidents"] or r["deadlines_met"] or r["deadlines_missed"]
    }


async def _recounted(conn: Conn, board: str) -> Counts:
    cur = await conn.execute(RECOUNT, {"board": board})
    return {
        str(r["month"]): (int(r["incidents"]), int(r["met"]), int(r["missed"]))
        for r in await cur.fetchall()
        if r["incidents"] or r["met"] or r["missed"]
    }


async def _open(conn: Conn, incident_id: str, assignee: str, due: datetime) -> str:
    task_id = new_id()
    await tasks.insert_open(
        conn, task_id=task_id, incident_id=incident_id, step="support", kind="support",
        assignee_id=assignee, urgent=False, opened_at=due - timedelta(days=3), due_at=due,
    )  # fmt: skip
    return task_id


# 00:30 on 1 April in Amsterdam (summer time) is 22:30 on 31 March in UTC.
FIRST_OF_APRIL = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)


async def test_the_month_counts_follow_every_write(own_database: str) -> None:
    pool = await open_pool(own_database, max_size=2)
    try:
        async with pool.connection() as conn:
            board = await directory.create_board(conn, name="Stichting Telt")
            other = await directory.create_board(conn, name="Stichting Anders")
            school = await directory.create_school(conn, board_id=board, name="De Teller")
            elsewhere = await directory.create_school(conn, board_id=other, name="Elders")
            now = await incidents.create_incident(
                conn, school_id=school, summary="", created_by=None
            )
            await incidents.create_incident(conn, school_id=elsewhere, summary="", created_by=None)
            april = new_id()
            await conn.execute(
                "INSERT INTO incidents (id, reference, board_id, school_id, summary, created_at)"
                " VALUES (%s, 'RG-2026-APRIL', %s, %s, '', %s)",
                (april, board, school, FIRST_OF_APRIL),
            )
            mentor = await directory.create_staff(
                conn, board_id=board, name="Mentor", email="mentor@teller.example"
            )
            due = datetime(2026, 5, 10, 12, tzinfo=UTC)
            on_time, late, not_needed, cancelled, _still_open = [
                await _open(conn, april, mentor, due) for _ in range(5)
            ]
            await tasks.close(conn, task_id=on_time, status="done", at=due - timedelta(hours=1),
                              answer_id=None)  # fmt: skip
            await tasks.close(conn, task_id=late, status="done", at=due + timedelta(days=30),
                              answer_id=None)  # fmt: skip
            await tasks.close(conn, task_id=not_needed, status="not_applicable", at=due,
                              answer_id=None)  # fmt: skip
            await tasks.close(conn, task_id=cancelled, status="cancelled", at=due,
                              answer_id=None)  # fmt: skip
            month_now = now.created_at.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m")
            assert (
                await _kept(conn, board)
                == await _recounted(conn, board)
                == {
                    "2026-04": (1, 0, 0),  # at 00:30 school time: April, not March
                    "2026-05": (0, 2, 0),  # by the deadline, and not applicable at it
                    "2026-06": (0, 0, 1),  # a month late
                    month_now: (1, 0, 0),
                }
            )

            # A refused letter reopens its task: it leaves May until it closes again, late.
            await tasks.reopen(conn, task_id=on_time)
            await tasks.close(conn, task_id=on_time, status="done", at=due + timedelta(days=1),
                              answer_id=None)  # fmt: skip
            # Many tasks in one statement, as an import would write them.
            await conn.execute(
                "INSERT INTO tasks (id, incident_id, step, kind, status, opened_at, due_at,"
                " closed_at)"
                " SELECT gen_random_uuid()::text, %s, 'evaluate', 'evaluate', 'done', %s, %s,"
                "        %s + n * interval '1 hour'"
                " FROM generate_series(1, 6) n",
                (now.id, due - timedelta(days=1), due, due - timedelta(hours=3)),
            )
            kept = await _kept(conn, board)
            assert kept == await _recounted(conn, board)
            # Not applicable and 3 of the 6 (closed at or before the deadline) on time; the
            # reopened task and the other 3 late.
            assert kept["2026-05"] == (0, 1 + 3, 1 + 3)
            assert await _kept(conn, other) == {month_now: (1, 0, 0)}

            since = datetime(2026, 4, 15, tzinfo=UTC)  # counts whole months from April
            assert await overview.incidents_per_month(conn, board_id=board, since=since) == {
                "2026-04": 1,
                month_now: 1,
            }
            deadlines = await overview.deadlines_per_month(conn, board_id=board, since=since)
            assert {m: (d.met, d.missed) for m, d in deadlines.items()} == {
                "2026-05": (4, 4),
                "2026-06": (0, 1),
            }

            # An escalation changes nothing counted; a deleted task gives its month back.
            await conn.execute("UPDATE tasks SET escalation_level = 1 WHERE id = %s", (late,))
            await conn.execute("DELETE FROM tasks WHERE id = %s", (not_needed,))
            kept = await _kept(conn, board)
            assert kept == await _recounted(conn, board)
            assert kept["2026-05"] == (0, 3, 4) and kept["2026-06"] == (0, 0, 1)
    finally:
        await pool.close()


def _rows_before_the_counts(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO boards (id, name) VALUES ('b-old', 'Oud')")
        conn.execute("INSERT INTO schools (id, board_id, name) VALUES ('s-old', 'b-old', 'Oud')")
        conn.execute(
            "INSERT INTO incidents (id, reference, board_id, school_id, summary, created_at)"
            " SELECT 'i-' || n, 'RG-OLD-' || n, 'b-old', 's-old', '',"
            "        timestamptz '2026-01-15 12:00+00' + n * interval '9 days'"
            " FROM generate_series(1, 30) n"
        )
        conn.execute(
            "INSERT INTO tasks (id, incident_id, step, kind, status, opened_at, due_at, closed_at)"
            " SELECT 't-' || n, 'i-' || n, 'assess', 'assess',"
            "        CASE WHEN n % 5 = 0 THEN 'cancelled' ELSE 'done' END,"
            "        timestamptz '2026-01-15 12:00+00' + n * interval '9 days',"
            "        timestamptz '2026-01-16 12:00+00' + n * interval '9 days',"
            "        timestamptz '2026-01-15 18:00+00' + n * interval '9 days'"
            "          + CASE WHEN n % 3 = 0 THEN interval '2 days' ELSE interval '0' END"
            " FROM generate_series(1, 30) n"
        )


async def test_the_migration_counts_what_is_there(postgres_server_url: str) -> None:
    async with (
        migrated_across(
            postgres_server_url,
            "regie_months",
            upto="0008.incident-list-indexes",
            write=_rows_before_the_counts,
        ) as pool,
        pool.connection() as conn,
    ):
        kept = await _kept(conn, "b-old")
        assert kept == await _recounted(conn, "b-old")
    assert sum(i for i, _, _ in kept.values()) == 30
    assert sum(met + missed for _, met, missed in kept.values()) == 24  # 6 cancelled
    assert sum(missed for _, _, missed in kept.values()) == 8  # n divisible by 3, not by 5
