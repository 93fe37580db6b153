"""The yearly policy review: settings per school, the reviews, and the year's counts."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from psycopg.types.json import Jsonb

from store.crypto import seal, unseal, unseal_json
from store.directory import Conn
from store.lessons import unseal_row


@dataclass(frozen=True)
class ReviewSettings:
    school_id: str
    board_id: str
    month: int
    day: int
    at_time: time
    paused: bool
    own_date: bool  # False: the board's default date


async def settings_for(conn: Conn, *, school_id: str) -> ReviewSettings | None:
    rows = await _settings(conn, "WHERE s.id = %(school)s", {"school": school_id})
    return rows[0] if rows else None


async def all_settings(conn: Conn) -> list[ReviewSettings]:
    return await _settings(conn, "", {})


async def _settings(conn: Conn, where: str, params: dict[str, Any]) -> list[ReviewSettings]:
    cur = await conn.execute(
        f"""
        SELECT s.id AS school_id, s.board_id,
               coalesce(p.month, b.review_month) AS month, coalesce(p.day, b.review_day) AS day,
               coalesce(p.at_time, '09:00'::time) AS at_time, coalesce(p.paused, false) AS paused,
               (p.month IS NOT NULL) AS own_date
        FROM schools s JOIN boards b ON b.id = s.board_id
        LEFT JOIN policy_review_settings p ON p.school_id = s.id
        {where}
        ORDER BY s.id
        """,
        params,
    )
    return [ReviewSettings(**row) for row in await cur.fetchall()]


async def save_settings(
    conn: Conn, *, school_id: str, month: int | None, day: int | None, at_time: time, paused: bool
) -> None:
    await conn.execute(
        """
        INSERT INTO policy_review_settings (school_id, month, day, at_time, paused)
        VALUES (%s, %s, %s, %s, %s)
        ON CONFLICT (school_id) DO UPDATE SET month = EXCLUDED.month, day = EXCLUDED.day,
            at_time = EXCLUDED.at_time, paused = EXCLUDED.paused, updated_at = now()
        """,
        (school_id, month, day, at_time, paused),
    )


async def start_review(
    conn: Conn, *, review_id: str, school_id: str, started_at: datetime, stats: dict[str, Any]
) -> None:
    await conn.execute(
        """
        INSERT INTO policy_reviews (id, school_id, board_id, year, started_at, stats)
        SELECT %s, s.id, s.board_id, %s, %s, %s FROM schools s WHERE s.id = %s
        ON CONFLICT (id) DO NOTHING
        """,
        (review_id, started_at.year, started_at, Jsonb(stats), school_id),
    )


async def close_review(
    conn: Conn,
    *,
    review_id: str,
    at: datetime,
    policy_changed: bool,
    change: str,
    new_version_date: date | None,
) -> None:
    await conn.execute(
        """
        UPDATE policy_reviews SET status = 'closed', closed_at = %s, policy_changed = %s,
            change = %s, new_version_date = %s
        WHERE id = %s AND status = 'open'
        """,
        (
            at,
            policy_changed,
            seal(change, table="policy_reviews", column="change"),
            new_version_date,
            review_id,
        ),
    )


async def get_review(conn: Conn, *, review_id: str) -> dict[str, Any] | None:
    cur = await conn.execute(
        "SELECT id, school_id, board_id, year, status, started_at, closed_at, stats,"
        " policy_changed, change, new_version_date FROM policy_reviews WHERE id = %s",
        (review_id,),
    )
    row = await cur.fetchone()
    return _unseal_review(row) if row else None


def _unseal_review(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "change": unseal(str(row["change"]), table="policy_reviews", column="change")}


async def reviews_of_school(conn: Conn, *, school_id: str) -> list[dict[str, Any]]:
    cur = await conn.execute(
        "SELECT id, year, status, started_at, closed_at, stats, policy_changed, change,"
        " new_version_date FROM policy_reviews WHERE school_id = %s ORDER BY started_at DESC",
        (school_id,),
    )
    return [_unseal_review(row) for row in await cur.fetchall()]


async def year_stats(
    conn: Conn, *, school_id: str, since: datetime, until: datetime
) -> dict[str, Any]:
    """Counts only: incidents per kind of image, deadlines met, escalations, lessons."""
    cur = await conn.execute(
        """
        SELECT
          (SELECT count(*) FROM incidents i
            WHERE i.school_id = %(s)s AND i.created_at >= %(since)s AND i.created_at < %(until)s)
            AS incidents,
          (SELECT count(*) FROM tasks t JOIN incidents i ON i.id = t.incident_id
            WHERE i.school_id = %(s)s AND t.closed_at >= %(since)s AND t.closed_at < %(until)s
              AND t.status IN ('done', 'not_applicable') AND t.closed_at <= t.due_at)
            AS deadlines_met,
          (SELECT count(*) FROM tasks t JOIN incidents i ON i.id = t.incident_id
            WHERE i.school_id = %(s)s AND t.closed_at >= %(since)s AND t.closed_at < %(until)s
              AND t.status IN ('done', 'not_applicable') AND t.closed_at > t.due_at)
            AS deadlines_missed,
          (SELECT count(*) FROM tasks t JOIN incidents i ON i.id = t.incident_id
            WHERE i.school_id = %(s)s AND t.opened_at >= %(since)s AND t.opened_at < %(until)s
              AND t.escalation_level > 0) AS escalations,
          (SELECT count(*) FROM lessons l
            WHERE l.school_id = %(s)s AND l.created_at >= %(since)s AND l.created_at < %(until)s)
            AS lessons,
          (SELECT count(*) FROM lessons l
            WHERE l.school_id = %(s)s AND l.created_at >= %(since)s AND l.created_at < %(until)s
              AND l.policy_change_needed) AS lessons_asking_policy_change
        """,
        {"s": school_id, "since": since, "until": until},
    )
    row = await cur.fetchone()
    stats: dict[str, Any] = dict(row) if row else {}
    # The kinds of image sit inside the encrypted answer, so they are counted here rather than
    # in SQL; a school has a handful of assessments a year.
    bodies = await conn.execute(
        """
        SELECT a.body
        FROM answers a JOIN incidents i ON i.id = a.incident_id
        WHERE a.kind = 'assess' AND a.status = 'accepted' AND i.school_id = %(s)s
          AND i.created_at >= %(since)s AND i.created_at < %(until)s
        """,
        {"s": school_id, "since": since, "until": until},
    )
    per_kind: Counter[str] = Counter()
    for r in await bodies.fetchall():
        body = unseal_json(r["body"], table="answers", column="body")
        kinds = body.get("image_kinds") if isinstance(body, dict) else None
        if isinstance(kinds, list):
            per_kind.update(str(k) for k in kinds)
    stats["per_kind"] = dict(sorted(per_kind.items()))
    return stats


async def lessons_between(
    conn: Conn, *, school_id: str, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    cur = await conn.execute(
        "SELECT incident_id, went_well, can_be_better, policy_change_needed, policy_change"
        " FROM lessons WHERE school_id = %s AND created_at >= %s AND created_at < %s"
        " ORDER BY created_at",
        (school_id, since, until),
    )
    return [unseal_row(row) for row in await cur.fetchall()]
