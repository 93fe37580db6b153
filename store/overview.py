"""Read models for the incident page and the board overview: names, links, counts per month.

Months are counted in the schools' time zone (the database's `board_month_of`), so an
incident at 00:30 on the 1st of a month counts in that month and not the previous one.

Only counts, references, school names and staff names leave here; never a pupil's name, a
summary or a note. Every query starts from an indexed column: incidents by board or school
(`incidents_board_status`, `incidents_school_status`), tasks by incident (`tasks_incident`).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.crypto import unseal
from store.directory import Conn


async def staff_names(conn: Conn, *, staff_ids: list[str]) -> dict[str, str]:
    """Staff id -> name, for the ids given; unknown ids are left out."""
    if not staff_ids:
        return {}
    cur = await conn.execute(
        "SELECT id, name FROM staff WHERE id = ANY(%s::text[])", (sorted(set(staff_ids)),)
    )
    return {str(r["id"]): str(r["name"]) for r in await cur.fetchall()}


@dataclass(frozen=True)
class LinkedIncident:
    id: str
    reference: str
    school_name: str
    status: str


async def linked_incidents(conn: Conn, *, incident_id: str) -> list[LinkedIncident]:
    cur = await conn.execute(
        """
        SELECT i.id, i.reference, s.name AS school_name, i.status
        FROM incident_links l
        JOIN incidents i ON i.id = l.linked_incident_id
        JOIN schools s ON s.id = i.school_id
        WHERE l.incident_id = %s
        ORDER BY s.name, i.reference
        """,
        (incident_id,),
    )
    return [LinkedIncident(**r) for r in await cur.fetchall()]


async def references(conn: Conn, *, incident_ids: list[str]) -> dict[str, str]:
    """Incident id -> reference, for naming linked incidents in a timeline."""
    if not incident_ids:
        return {}
    cur = await conn.execute(
        "SELECT id, reference FROM incidents WHERE id = ANY(%s::text[])",
        (sorted(set(incident_ids)),),
    )
    return {str(r["id"]): str(r["reference"]) for r in await cur.fetchall()}


@dataclass(frozen=True)
class SchoolCounts:
    school_id: str
    name: str
    open_incidents: int
    overdue_tasks: int
    escalated_tasks: int


async def school_counts(conn: Conn, *, board_id: str) -> list[SchoolCounts]:
    """Per school of the board: open incidents, and their open tasks past due or escalated.

    Open tasks only exist in open incidents, so the task counts start from the school's open
    incidents (a short index range) instead of from all tasks.
    """
    cur = await conn.execute(
        """
        SELECT s.id AS school_id, s.name,
               count(DISTINCT i.id) AS open_incidents,
               count(t.id) FILTER (WHERE t.due_at < now()) AS overdue_tasks,
               count(t.id) FILTER (WHERE t.escalation_level > 0) AS escalated_tasks
        FROM schools s
        LEFT JOIN incidents i ON i.school_id = s.id AND i.status = 'open'
        LEFT JOIN tasks t ON t.incident_id = i.id AND t.status = 'open'
        WHERE s.board_id = %s
        GROUP BY s.id, s.name
        ORDER BY s.name, s.id
        """,
        (board_id,),
    )
    return [SchoolCounts(**r) for r in await cur.fetchall()]


async def incidents_per_month(conn: Conn, *, board_id: str, since: datetime) -> dict[str, int]:
    """'YYYY-MM' (school time) -> incidents created at the board's schools, from the month
    of `since` on."""
    months = await _months(conn, board_id=board_id, since=since)
    return {month: row["incidents"] for month, row in months.items() if row["incidents"]}


@dataclass(frozen=True)
class DeadlineMonth:
    met: int
    missed: int


async def deadlines_per_month(
    conn: Conn, *, board_id: str, since: datetime
) -> dict[str, DeadlineMonth]:
    """'YYYY-MM' (school time, by closing) -> tasks closed by their deadline, and after it,
    from the month of `since` on.

    Done and not-applicable tasks count; cancelled ones do not (nobody had to meet their
    deadline any more).
    """
    months = await _months(conn, board_id=board_id, since=since)
    return {
        month: DeadlineMonth(met=row["deadlines_met"], missed=row["deadlines_missed"])
        for month, row in months.items()
        if row["deadlines_met"] or row["deadlines_missed"]
    }


async def _months(conn: Conn, *, board_id: str, since: datetime) -> dict[str, dict[str, int]]:
    """The board's counts per month, kept as incidents and tasks are written (migration
    0009.board-month-counts): a few rows, where counting read half the tables."""
    cur = await conn.execute(
        """
        SELECT month, incidents, deadlines_met, deadlines_missed FROM board_month_counts
        WHERE board_id = %(board)s AND month >= board_month_of(%(since)s)
        """,
        {"board": board_id, "since": since},
    )
    return {str(r.pop("month")): r for r in await cur.fetchall()}


async def board_name(conn: Conn, *, board_id: str) -> str:
    cur = await conn.execute("SELECT name FROM boards WHERE id = %s", (board_id,))
    row = await cur.fetchone()
    return str(row["name"]) if row else ""


async def policy_review_rows(conn: Conn, *, board_id: str) -> list[dict[str, Any]]:
    """Per school: its review date, the last review and whether that one has overdue tasks."""
    cur = await conn.execute(
        """
        SELECT s.id AS school_id, s.name,
               coalesce(p.month, b.review_month) AS month, coalesce(p.day, b.review_day) AS day,
               coalesce(p.at_time, '09:00'::time) AS at_time, coalesce(p.paused, false) AS paused,
               r.id AS review_id, r.year, r.status, r.started_at, r.closed_at,
               r.policy_changed, r.change, r.new_version_date,
               EXISTS (SELECT 1 FROM tasks t WHERE t.review_id = r.id AND t.status = 'open'
                       AND t.due_at < now()) AS tasks_overdue
        FROM schools s
        JOIN boards b ON b.id = s.board_id
        LEFT JOIN policy_review_settings p ON p.school_id = s.id
        LEFT JOIN LATERAL (
            SELECT * FROM policy_reviews pr WHERE pr.school_id = s.id
            ORDER BY pr.started_at DESC LIMIT 1
        ) r ON true
        WHERE s.board_id = %s
        ORDER BY s.name, s.id
        """,
        (board_id,),
    )
    return [
        {**r, "change": unseal(r["change"], table="policy_reviews", column="change")}
        if r["change"] is not None
        else r
        for r in await cur.fetchall()
    ]
