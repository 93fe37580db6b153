"""Boards, schools, staff and their roles."""

import uuid
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from domain.deadlines import DeadlineSettings
from domain.roles import Role

Conn = AsyncConnection[DictRow]


@dataclass(frozen=True)
class Staff:
    id: str
    board_id: str
    name: str
    email: str
    language: str
    active: bool


def new_id() -> str:
    return str(uuid.uuid4())


async def create_board(conn: Conn, *, name: str, board_id: str | None = None) -> str:
    board_id = board_id or new_id()
    await conn.execute("INSERT INTO boards (id, name) VALUES (%s, %s)", (board_id, name))
    return board_id


async def create_school(
    conn: Conn, *, board_id: str, name: str, school_id: str | None = None
) -> str:
    school_id = school_id or new_id()
    await conn.execute(
        "INSERT INTO schools (id, board_id, name) VALUES (%s, %s, %s)",
        (school_id, board_id, name),
    )
    return school_id


async def create_staff(
    conn: Conn,
    *,
    board_id: str,
    name: str,
    email: str,
    language: str = "nl",
    staff_id: str | None = None,
) -> str:
    staff_id = staff_id or new_id()
    await conn.execute(
        "INSERT INTO staff (id, board_id, name, email, language) VALUES (%s, %s, %s, %s, %s)",
        (staff_id, board_id, name, email, language),
    )
    return staff_id


async def grant_role(
    conn: Conn, *, staff_id: str, role: Role, school_id: str | None = None
) -> None:
    await conn.execute(
        "INSERT INTO staff_roles (staff_id, role, school_id) VALUES (%s, %s, %s)"
        " ON CONFLICT DO NOTHING",
        (staff_id, role.value, school_id),
    )


async def get_staff(conn: Conn, *, staff_id: str) -> Staff | None:
    cur = await conn.execute(
        "SELECT id, board_id, name, email, language, active FROM staff WHERE id = %s",
        (staff_id,),
    )
    row = await cur.fetchone()
    return Staff(**row) if row else None


async def school_name(conn: Conn, *, school_id: str) -> str:
    cur = await conn.execute("SELECT name FROM schools WHERE id = %s", (school_id,))
    row = await cur.fetchone()
    if row is None:
        raise LookupError(f"school {school_id} does not exist")
    return str(row["name"])


async def school_board(conn: Conn, *, school_id: str) -> str | None:
    cur = await conn.execute("SELECT board_id FROM schools WHERE id = %s", (school_id,))
    row = await cur.fetchone()
    return str(row["board_id"]) if row else None


async def role_holders(conn: Conn, *, school_id: str) -> dict[Role, str]:
    """For each role, the one active person who holds it at this school (or board-wide).

    The earliest granted holder wins, so the result is stable between calls.
    """
    cur = await conn.execute(
        """
        SELECT DISTINCT ON (r.role) r.role, r.staff_id
        FROM staff_roles r
        JOIN staff s ON s.id = r.staff_id AND s.active
        JOIN schools sc ON sc.id = %(school)s
        WHERE r.school_id = %(school)s
           OR (r.school_id IS NULL AND s.board_id = sc.board_id)
        ORDER BY r.role, (r.school_id IS NULL), r.created_at, r.staff_id
        """,
        {"school": school_id},
    )
    return {Role(row["role"]): str(row["staff_id"]) for row in await cur.fetchall()}


async def staff_with_role(conn: Conn, *, school_id: str, role: Role) -> list[str]:
    cur = await conn.execute(
        """
        SELECT r.staff_id FROM staff_roles r JOIN staff s ON s.id = r.staff_id AND s.active
        WHERE r.school_id = %s AND r.role = %s ORDER BY r.created_at, r.staff_id
        """,
        (school_id, role.value),
    )
    return [str(row["staff_id"]) for row in await cur.fetchall()]


async def is_staff_of_school(conn: Conn, *, staff_id: str, school_id: str) -> bool:
    cur = await conn.execute(
        """
        SELECT 1 FROM staff s JOIN schools sc ON sc.id = %(school)s
        LEFT JOIN staff_roles r ON r.staff_id = s.id
        WHERE s.id = %(staff)s AND s.active AND s.board_id = sc.board_id
          AND (r.school_id = %(school)s OR r.school_id IS NULL)
        LIMIT 1
        """,
        {"staff": staff_id, "school": school_id},
    )
    return await cur.fetchone() is not None


async def deadline_settings(conn: Conn, *, board_id: str) -> DeadlineSettings:
    cur = await conn.execute("SELECT deadlines FROM boards WHERE id = %s", (board_id,))
    row = await cur.fetchone()
    stored: dict[str, Any] = row["deadlines"] if row else {}
    return DeadlineSettings.model_validate(stored)


async def set_deadline_settings(conn: Conn, *, board_id: str, settings: DeadlineSettings) -> None:
    await conn.execute(
        "UPDATE boards SET deadlines = %s WHERE id = %s",
        (Jsonb(settings.model_dump(mode="json")), board_id),
    )
