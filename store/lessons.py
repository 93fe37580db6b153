"""Lessons of evaluations, kept for the school's yearly policy review."""

from store.directory import Conn


async def store_lessons(
    conn: Conn,
    *,
    incident_id: str,
    went_well: str,
    can_be_better: str,
    policy_change_needed: bool,
    policy_change: str,
) -> None:
    await conn.execute(
        """
        INSERT INTO lessons (incident_id, school_id, board_id, went_well, can_be_better,
                             policy_change_needed, policy_change)
        SELECT i.id, i.school_id, i.board_id, %s, %s, %s, %s FROM incidents i WHERE i.id = %s
        ON CONFLICT (incident_id) DO NOTHING
        """,
        (went_well, can_be_better, policy_change_needed, policy_change, incident_id),
    )


async def lessons_of_school(conn: Conn, *, school_id: str) -> list[dict[str, object]]:
    cur = await conn.execute(
        "SELECT incident_id, went_well, can_be_better, policy_change_needed, policy_change,"
        " created_at FROM lessons WHERE school_id = %s ORDER BY created_at",
        (school_id,),
    )
    return list(await cur.fetchall())
