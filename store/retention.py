"""Retention: find incidents past their board's term and erase their personal details.

What goes: the persons' names (their role and label stay), free text in answers (their
booleans, counts and enum values stay: domain.retention.anonymous_answer), notes, documents,
lessons' texts (policy_change_needed stays) and the incident's summary. What stays: the
incident, its tasks with their statuses and times, the lessons rows, the audit log. So the
board's statistics and the policy review's counts are the same before and after.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from psycopg.types.json import Jsonb

from domain.retention import anonymous_answer, is_due
from store import audit
from store.crypto import seal_json, unseal_json
from store.directory import Conn


@dataclass(frozen=True)
class Erasure:
    """What one erasure blanked: counts only, as they go into the audit event."""

    persons: int = 0
    answers: int = 0
    notes: int = 0
    documents: int = 0
    lessons: int = 0

    def __add__(self, other: "Erasure") -> "Erasure":
        return Erasure(**{k: v + getattr(other, k) for k, v in asdict(self).items()})


@dataclass(frozen=True)
class Due:
    incident_id: str
    reference: str
    board_id: str
    closed_at: datetime
    counts: Erasure


async def due_for_erasure(conn: Conn, *, now: datetime) -> dict[str, list[str]]:
    """Board id -> ids of its incidents past their term and not erased yet."""
    found: dict[str, list[str]] = {}
    for due in await due_details(conn, now=now):
        found.setdefault(due.board_id, []).append(due.incident_id)
    return found


async def due_details(conn: Conn, *, now: datetime) -> list[Due]:
    """The incidents past their term with what erasing them would blank (for a dry run)."""
    cur = await conn.execute(
        """
        SELECT i.id, i.reference, i.board_id, i.status, i.closed_at, b.retention,
               (SELECT count(*) FROM incident_persons p WHERE p.incident_id = i.id) AS persons,
               (SELECT count(*) FROM answers a WHERE a.incident_id = i.id) AS answers,
               (SELECT count(*) FROM notes n WHERE n.incident_id = i.id) AS notes,
               (SELECT count(*) FROM documents d WHERE d.incident_id = i.id) AS documents,
               (SELECT count(*) FROM lessons l WHERE l.incident_id = i.id) AS lessons
        FROM incidents i JOIN boards b ON b.id = i.board_id
        WHERE i.status IN ('closed', 'cancelled') AND i.closed_at IS NOT NULL
          AND i.erased_at IS NULL
        ORDER BY i.board_id, i.closed_at, i.id
        """
    )
    return [
        Due(
            incident_id=str(r["id"]),
            reference=str(r["reference"]),
            board_id=str(r["board_id"]),
            closed_at=r["closed_at"],
            counts=Erasure(
                persons=int(r["persons"]),
                answers=int(r["answers"]),
                notes=int(r["notes"]),
                documents=int(r["documents"]),
                lessons=int(r["lessons"]),
            ),
        )
        for r in await cur.fetchall()
        if is_due(status=r["status"], closed_at=r["closed_at"], term=r["retention"], now=now)
    ]


async def erase_incident(conn: Conn, *, incident_id: str, at: datetime) -> Erasure | None:
    """Blank the incident's personal details and record it; None if it was erased already.

    One transaction: the row lock on the incident makes a second run wait and then find
    `erased_at` set, so the erasure and its audit event happen once.
    """
    async with conn.transaction():
        cur = await conn.execute(
            "SELECT erased_at FROM incidents WHERE id = %s FOR UPDATE", (incident_id,)
        )
        row = await cur.fetchone()
        if row is None:
            raise LookupError(f"incident {incident_id} does not exist")
        if row["erased_at"] is not None:
            return None
        counts = Erasure(
            persons=await _count(
                conn, "UPDATE incident_persons SET name = '' WHERE incident_id = %s", incident_id
            ),
            answers=await erase_answers(conn, incident_id=incident_id),
            notes=await _count(
                conn, "UPDATE notes SET body = '' WHERE incident_id = %s", incident_id
            ),
            documents=await _count(
                conn, "UPDATE documents SET body = '' WHERE incident_id = %s", incident_id
            ),
            lessons=await _count(
                conn,
                "UPDATE lessons SET went_well = '', can_be_better = '', policy_change = ''"
                " WHERE incident_id = %s",
                incident_id,
            ),
        )
        await conn.execute(
            "UPDATE incidents SET summary = '', erased_at = %s WHERE id = %s", (at, incident_id)
        )
        await audit.record(
            conn,
            key=f"personal_data_erased:{incident_id}",
            kind="personal_data_erased",
            at=at,
            incident_id=incident_id,
            detail={"reason": "retention", **asdict(counts)},
        )
    return counts


async def erase_answers(conn: Conn, *, incident_id: str) -> int:
    cur = await conn.execute(
        "SELECT id, body FROM answers WHERE incident_id = %s ORDER BY id", (incident_id,)
    )
    rows = await cur.fetchall()
    for r in rows:
        body = unseal_json(r["body"], table="answers", column="body")
        await conn.execute(
            "UPDATE answers SET body = %s WHERE id = %s",
            (Jsonb(seal_json(anonymous_answer(body), table="answers", column="body")), r["id"]),
        )
    return len(rows)


async def _count(conn: Conn, sql: str, incident_id: str) -> int:
    cur = await conn.execute(sql, (incident_id,))
    return cur.rowcount


async def erase_expired(conn: Conn, *, now: datetime, dry_run: bool = False) -> tuple[int, Erasure]:
    """Erase every incident past its term; (incidents erased, what was blanked in all)."""
    total = Erasure()
    incidents = 0
    for due in await due_details(conn, now=now):
        if dry_run:
            counts: Erasure | None = due.counts
        else:
            counts = await erase_incident(conn, incident_id=due.incident_id, at=now)
        if counts is not None:
            incidents += 1
            total = total + counts
    return incidents, total


async def board_term(conn: Conn, *, board_id: str) -> str:
    cur = await conn.execute("SELECT retention FROM boards WHERE id = %s", (board_id,))
    row = await cur.fetchone()
    if row is None:
        raise LookupError(f"board {board_id} does not exist")
    return str(row["retention"])


async def set_board_term(
    conn: Conn, *, board_id: str, term: str, actor_id: str, at: datetime
) -> None:
    """Change the term (validated by the caller) and record who changed it from what."""
    async with conn.transaction():
        before = await board_term(conn, board_id=board_id)
        if before == term:
            return
        await conn.execute("UPDATE boards SET retention = %s WHERE id = %s", (term, board_id))
        await audit.record(
            conn,
            key=f"retention_changed:{board_id}:{at.isoformat()}",
            kind="retention_changed",
            at=at,
            incident_id=None,
            board_id=board_id,
            actor_id=actor_id,
            detail={"from": before, "to": term},
        )


# A pending answer is left alone this long: its workflow may still be about to take it.
ORPHAN_AFTER = timedelta(days=1)


async def discard_orphan_answers(conn: Conn, *, now: datetime, dry_run: bool = False) -> int:
    """Delete answers that stayed 'pending' while their task was closed with another answer.

    The service stores an answer before it sends it to the workflow and keeps it when the
    sending fails in a way that leaves unknown whether the workflow took it (an outage); a
    retry stores a new one. Once the task is closed with a different answer (or without one),
    the old one can never be taken, and its free text and the persons it named go. Answers of
    tasks still open stay: their workflow may yet take them.
    """
    found = """
        FROM answers a JOIN tasks t ON t.id = a.task_id
        WHERE a.status = 'pending' AND a.created_at < %(before)s
          AND t.status IN ('done', 'not_applicable', 'skipped', 'cancelled')
          AND t.answer_id IS DISTINCT FROM a.id
    """
    before = {"before": now - ORPHAN_AFTER}
    if dry_run:
        cur = await conn.execute(f"SELECT count(*) AS n {found}", before)
        row = await cur.fetchone()
        return int(row["n"]) if row else 0
    async with conn.transaction():
        cur = await conn.execute(f"SELECT a.id {found} FOR UPDATE OF a", before)
        ids = [str(r["id"]) for r in await cur.fetchall()]
        if ids:
            await conn.execute("DELETE FROM incident_persons WHERE answer_id = ANY(%s)", (ids,))
            await conn.execute("DELETE FROM answers WHERE id = ANY(%s)", (ids,))
    return len(ids)
