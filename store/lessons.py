"""Lessons of evaluations, kept for the school's yearly policy review."""

from typing import Any

from store.crypto import seal, unseal
from store.directory import Conn

# Free text that may name people, so encrypted at rest (store/crypto.py).
TEXT_COLUMNS = ("went_well", "can_be_better", "policy_change")


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
        (
            seal(went_well, table="lessons", column="went_well"),
            seal(can_be_better, table="lessons", column="can_be_better"),
            policy_change_needed,
            seal(policy_change, table="lessons", column="policy_change"),
            incident_id,
        ),
    )


def unseal_row(row: dict[str, Any]) -> dict[str, Any]:
    """A lessons row with its free text readable again."""
    return {
        k: unseal(v, table="lessons", column=k) if k in TEXT_COLUMNS and isinstance(v, str) else v
        for k, v in row.items()
    }


async def lessons_of_school(conn: Conn, *, school_id: str) -> list[dict[str, object]]:
    cur = await conn.execute(
        "SELECT incident_id, went_well, can_be_better, policy_change_needed, policy_change,"
        " created_at FROM lessons WHERE school_id = %s ORDER BY created_at",
        (school_id,),
    )
    return [unseal_row(row) for row in await cur.fetchall()]
