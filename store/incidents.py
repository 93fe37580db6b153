"""Incidents, their links to other schools' incidents, and the persons in them."""

from dataclasses import dataclass
from datetime import datetime

from domain.forms.assess import PersonRole
from store.crypto import seal, unseal
from store.directory import Conn, new_id


@dataclass(frozen=True)
class Incident:
    id: str
    reference: str
    board_id: str
    school_id: str
    status: str
    origin_incident_id: str | None
    created_at: datetime
    closed_at: datetime | None


_COLUMNS = "id, reference, board_id, school_id, status, origin_incident_id, created_at, closed_at"


async def create_incident(
    conn: Conn,
    *,
    school_id: str,
    summary: str,
    created_by: str | None,
    incident_id: str | None = None,
    origin_incident_id: str | None = None,
) -> Incident:
    incident_id = incident_id or new_id()
    cur = await conn.execute(
        f"""
        INSERT INTO incidents (id, reference, board_id, school_id, summary, created_by,
                               origin_incident_id)
        SELECT %(id)s,
               -- At least five digits; lpad alone would cut the 100,000th number to five
               -- and give it the reference of the 10,000th.
               'RG-' || to_char(now(), 'YYYY') || '-' || lpad(n.v, greatest(5, length(n.v)), '0'),
               s.board_id, s.id, %(summary)s, %(by)s, %(origin)s
        FROM schools s, (SELECT nextval('incident_reference_seq')::text AS v) n
        WHERE s.id = %(school)s
        RETURNING {_COLUMNS}
        """,
        {
            "id": incident_id,
            "summary": seal(summary, table="incidents", column="summary"),
            "by": created_by,
            "origin": origin_incident_id,
            "school": school_id,
        },
    )
    row = await cur.fetchone()
    if row is None:
        raise LookupError(f"school {school_id} does not exist")
    return Incident(**row)


async def get_incident(conn: Conn, *, incident_id: str) -> Incident | None:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM incidents WHERE id = %s", (incident_id,))
    row = await cur.fetchone()
    return Incident(**row) if row else None


async def find_linked(conn: Conn, *, origin_incident_id: str, school_id: str) -> str | None:
    cur = await conn.execute(
        "SELECT id FROM incidents WHERE origin_incident_id = %s AND school_id = %s",
        (origin_incident_id, school_id),
    )
    row = await cur.fetchone()
    return str(row["id"]) if row else None


async def link(conn: Conn, *, incident_id: str, other_id: str) -> None:
    """Both incidents point to each other."""
    await conn.execute(
        "INSERT INTO incident_links (incident_id, linked_incident_id) VALUES (%s, %s), (%s, %s)"
        " ON CONFLICT DO NOTHING",
        (incident_id, other_id, other_id, incident_id),
    )


async def linked_ids(conn: Conn, *, incident_id: str) -> list[str]:
    cur = await conn.execute(
        "SELECT linked_incident_id FROM incident_links WHERE incident_id = %s ORDER BY 1",
        (incident_id,),
    )
    return [str(r["linked_incident_id"]) for r in await cur.fetchall()]


async def set_status(conn: Conn, *, incident_id: str, status: str, at: datetime) -> None:
    await conn.execute(
        "UPDATE incidents SET status = %s, closed_at = %s WHERE id = %s AND status = 'open'",
        (status, at, incident_id),
    )


async def add_persons(
    conn: Conn,
    *,
    incident_id: str,
    persons: list[tuple[PersonRole, str, bool]],
    answer_id: str | None = None,
) -> list[str]:
    """Store persons with labels "Leerling A", "Leerling B", ...; returns their labels."""
    cur = await conn.execute(
        "SELECT count(*) AS n FROM incident_persons WHERE incident_id = %s", (incident_id,)
    )
    row = await cur.fetchone()
    start = int(row["n"]) if row else 0
    labels = [f"Leerling {_letters(start + offset)}" for offset in range(len(persons))]
    async with conn.cursor() as insert:
        # executemany sends the rows in one round trip (libpq's pipeline), not one per person.
        await insert.executemany(
            "INSERT INTO incident_persons (id, incident_id, role, label, name, is_our_pupil,"
            " answer_id) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    new_id(),
                    incident_id,
                    role.value,
                    label,
                    seal(name, table="incident_persons", column="name"),
                    is_our_pupil,
                    answer_id,
                )
                for label, (role, name, is_our_pupil) in zip(labels, persons, strict=True)
            ],
        )
    return labels


async def persons(conn: Conn, *, incident_ids: list[str]) -> list[tuple[str, str]]:
    """(label, name) of every person in these incidents, for the anonymity guard."""
    cur = await conn.execute(
        "SELECT label, name FROM incident_persons WHERE incident_id = ANY(%s) ORDER BY label",
        (incident_ids,),
    )
    return [
        (str(r["label"]), unseal(str(r["name"]), table="incident_persons", column="name"))
        for r in await cur.fetchall()
    ]


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class IncidentListRow:
    id: str
    reference: str
    school_id: str
    status: str
    created_at: datetime


async def list_visible(
    conn: Conn,
    *,
    board_id: str,
    board_wide: bool,
    full_school_ids: list[str],
    staff_id: str,
    school_id: str | None,
    status: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[IncidentListRow]:
    """Incidents this person may see, newest first, from `after` (keyset pagination).

    Board roles see every school of their board; coordinators and school leaders all of their
    school; other school staff only incidents in which they hold a task.
    """
    cur = await conn.execute(
        """
        SELECT i.id, i.reference, i.school_id, i.status, i.created_at
        FROM incidents i
        WHERE i.board_id = %(board)s
          AND (%(board_wide)s OR i.school_id = ANY(%(schools)s::text[])
               OR EXISTS (SELECT 1 FROM tasks t
                          WHERE t.incident_id = i.id AND t.assignee_id = %(staff)s))
          AND (%(school)s::text IS NULL OR i.school_id = %(school)s)
          AND (%(status)s::text IS NULL OR i.status = %(status)s)
          AND (%(after_at)s::timestamptz IS NULL
               OR (i.created_at, i.id) < (%(after_at)s::timestamptz, %(after_id)s::text))
        ORDER BY i.created_at DESC, i.id DESC
        LIMIT %(limit)s
        """,
        {
            "board": board_id,
            "board_wide": board_wide,
            "schools": full_school_ids,
            "staff": staff_id,
            "school": school_id,
            "status": status,
            "after_at": after[0] if after else None,
            "after_id": after[1] if after else None,
            "limit": limit,
        },
    )
    return [IncidentListRow(**row) for row in await cur.fetchall()]


async def has_task_of(conn: Conn, *, incident_id: str, staff_id: str) -> bool:
    cur = await conn.execute(
        "SELECT 1 FROM tasks WHERE incident_id = %s AND assignee_id = %s LIMIT 1",
        (incident_id, staff_id),
    )
    return await cur.fetchone() is not None
