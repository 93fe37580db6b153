"""Counts for the metrics gauges, read at scrape time: ids, steps and numbers, never names."""

from dataclasses import dataclass
from datetime import datetime

from store.directory import Conn


@dataclass(frozen=True)
class Gauges:
    open_incidents: int
    open_tasks: dict[str, int]  # step -> count
    overdue_tasks: dict[str, int]  # step -> open tasks past their deadline
    escalated_tasks: dict[str, int]  # step -> open tasks that escalated at least once


async def read_gauges(conn: Conn, *, now: datetime) -> Gauges:
    cur = await conn.execute("SELECT count(*) AS n FROM incidents WHERE status = 'open'")
    row = await cur.fetchone()
    open_incidents = int(row["n"]) if row else 0
    cur = await conn.execute(
        """
        SELECT step,
               count(*) AS open,
               count(*) FILTER (WHERE due_at < %(now)s) AS overdue,
               count(*) FILTER (WHERE escalation_level > 0) AS escalated
          FROM tasks
         WHERE status = 'open'
         GROUP BY step
        """,
        {"now": now},
    )
    rows = await cur.fetchall()
    return Gauges(
        open_incidents=open_incidents,
        open_tasks={str(r["step"]): int(r["open"]) for r in rows},
        overdue_tasks={str(r["step"]): int(r["overdue"]) for r in rows},
        escalated_tasks={str(r["step"]): int(r["escalated"]) for r in rows},
    )
