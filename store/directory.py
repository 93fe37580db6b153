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


@dataclass(frozen=True)
class Grant:
    role: Role
    school_id: str | None  # None: at the board's office, for all its schools


async def grants_of(conn: Conn, *, staff_id: str) -> list[Grant]:
    cur = await conn.execute(
        "SELECT role, school_id FROM staff_roles WHERE staff_id = %s ORDER BY role, school_id",
        (staff_id,),
    )
    return [Grant(Role(r["role"]), r["school_id"]) for r in await cur.fetchall()]


# A staff member with their roles, as one row: `FROM staff s LEFT JOIN staff_roles r ... GROUP
# BY s.id`. Every request asks for both, so they come in one round trip.
STAFF_WITH_ROLES = """
    s.id, s.board_id, s.name, s.email, s.language, s.active,
    coalesce(array_agg(r.role ORDER BY r.role, r.school_id)
             FILTER (WHERE r.role IS NOT NULL), '{}') AS roles,
    coalesce(array_agg(r.school_id ORDER BY r.role, r.school_id)
             FILTER (WHERE r.role IS NOT NULL), '{}') AS schools
"""


def staff_and_grants(row: dict[str, Any]) -> tuple[Staff, list[Grant]]:
    """Reads a row selected with STAFF_WITH_ROLES (other columns are ignored)."""
    roles, schools = row["roles"], row["schools"]
    staff = Staff(**{name: row[name] for name in Staff.__dataclass_fields__})
    return staff, [Grant(Role(r), school) for r, school in zip(roles, schools, strict=True)]


async def staff_with_grants(conn: Conn, *, staff_id: str) -> tuple[Staff, list[Grant]] | None:
    cur = await conn.execute(
        f"""
        SELECT {STAFF_WITH_ROLES}
        FROM staff s LEFT JOIN staff_roles r ON r.staff_id = s.id
        WHERE s.id = %s
        GROUP BY s.id
        """,
        (staff_id,),
    )
    row = await cur.fetchone()
    return staff_and_grants(row) if row else None


async def schools_of_board(conn: Conn, *, board_id: str) -> list[dict[str, str]]:
    cur = await conn.execute(
        "SELECT id, name FROM schools WHERE board_id = %s ORDER BY name, id", (board_id,)
    )
    return [{"id": str(r["id"]), "name": str(r["name"])} for r in await cur.fetchall()]


async def staff_of_board(
    conn: Conn, *, board_id: str, school_ids: list[str] | None = None
) -> list[dict[str, Any]]:
    """Staff with their roles; limited to these schools' staff and the board office if given."""
    cur = await conn.execute(
        """
        SELECT s.id, s.name, s.email, s.language,
               coalesce(json_agg(json_build_object('role', r.role, 'school_id', r.school_id)
                        ORDER BY r.role, r.school_id) FILTER (WHERE r.role IS NOT NULL),
                        '[]') AS roles
        FROM staff s LEFT JOIN staff_roles r ON r.staff_id = s.id
        WHERE s.board_id = %(board)s AND s.active
          AND (%(schools)s::text[] IS NULL OR EXISTS (
                SELECT 1 FROM staff_roles x WHERE x.staff_id = s.id
                  AND (x.school_id = ANY(%(schools)s::text[]) OR x.school_id IS NULL)))
        GROUP BY s.id ORDER BY s.name, s.id
        """,
        {"board": board_id, "schools": school_ids},
    )
    return list(await cur.fetchall())


async def staff_by_email(conn: Conn, *, email: str) -> Staff | None:
    cur = await conn.execute(
        "SELECT id, board_id, name, email, language, active FROM staff"
        " WHERE lower(email) = lower(%s)",
        (email,),
    )
    row = await cur.fetchone()
    return Staff(**row) if row else None
