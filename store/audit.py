"""The audit log: append-only; a retried activity writes each event once (idempotency key)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from domain.audit_hash import GENESIS, ChainFields, link_hash
from store.directory import Conn


@dataclass(frozen=True)
class AuditEvent:
    id: int
    board_id: str
    incident_id: str | None
    task_id: str | None
    step: str | None
    kind: str
    actor_id: str | None
    detail: dict[str, Any]
    at: datetime


async def record(
    conn: Conn,
    *,
    key: str,
    kind: str,
    at: datetime,
    incident_id: str | None,
    board_id: str | None = None,
    task_id: str | None = None,
    step: str | None = None,
    actor_id: str | None = None,
    detail: dict[str, Any] | None = None,
    review_id: str | None = None,
) -> bool:
    """Write one event; False if an event with this key exists. `detail` holds no personal data.

    The event is the next link of its board's hash chain (`domain.audit_hash`). A per-board
    advisory lock, held until the caller's transaction ends, makes the board's writers take
    turns, so each one reads the latest hash and no two events follow the same one. The
    values are hashed as PostgreSQL stores them (jsonb, timestamptz), so `regie audit verify`
    reading them back computes the same hash.
    """
    # Statement 1 resolves the board and takes its lock; statement 2 reads the chain's end.
    # They cannot be one: a statement sees the data as of its start, which would be before
    # the lock was granted, and so miss the event its previous holder just committed.
    cur = await conn.execute(
        """
        SELECT board, detail, at, pg_advisory_xact_lock(hashtext(board)) AS locked
        FROM (SELECT coalesce(%(board)s, i.board_id, r.board_id) AS board,
                     %(detail)s::jsonb AS detail, %(at)s::timestamptz AS at
              FROM (SELECT 1) one
              LEFT JOIN incidents i ON i.id = %(incident)s
              LEFT JOIN policy_reviews r ON r.id = %(review)s) resolved
        """,
        {
            "board": board_id,
            "incident": incident_id,
            "review": review_id,
            "detail": Jsonb(detail or {}),
            "at": at,
        },
    )
    resolved = await cur.fetchone()
    assert resolved is not None
    board = resolved["board"]
    if board is None:
        raise ValueError(f"audit event {key}: no board (incident or review unknown)")
    cur = await conn.execute(
        """
        SELECT EXISTS (SELECT 1 FROM audit_events WHERE idempotency_key = %(key)s) AS written,
               (SELECT hash FROM audit_events WHERE board_id = %(board)s
                ORDER BY id DESC LIMIT 1) AS hash
        """,
        {"key": key, "board": board},
    )
    latest = await cur.fetchone()
    assert latest is not None
    if latest["written"]:
        return False
    prev_hash = str(latest["hash"]) if latest["hash"] is not None else GENESIS
    fields = ChainFields(
        board=board,
        incident=incident_id,
        review=review_id,
        task=task_id,
        step=step,
        kind=kind,
        actor=actor_id,
        detail=resolved["detail"],
        at=resolved["at"],
        key=key,
    )
    cur = await conn.execute(
        """
        INSERT INTO audit_events (board_id, incident_id, review_id, task_id, step, kind,
                                  actor_id, detail, idempotency_key, at, prev_hash, hash)
        VALUES (%(board)s, %(incident)s, %(review)s, %(task)s, %(step)s, %(kind)s, %(actor)s,
                %(detail)s, %(key)s, %(at)s, %(prev)s, %(hash)s)
        ON CONFLICT (idempotency_key) DO NOTHING
        """,
        {
            "board": board,
            "incident": incident_id,
            "review": review_id,
            "task": task_id,
            "step": step,
            "kind": kind,
            "actor": actor_id,
            "detail": Jsonb(resolved["detail"]),
            "key": key,
            "at": resolved["at"],
            "prev": prev_hash,
            "hash": link_hash(prev_hash, fields),
        },
    )
    return cur.rowcount == 1


async def events_of_incident(conn: Conn, *, incident_id: str) -> list[AuditEvent]:
    cur = await conn.execute(
        "SELECT id, board_id, incident_id, task_id, step, kind, actor_id, detail, at"
        " FROM audit_events WHERE incident_id = %s ORDER BY id",
        (incident_id,),
    )
    return [AuditEvent(**row) for row in await cur.fetchall()]


async def events_of_review(conn: Conn, *, review_id: str) -> list[AuditEvent]:
    cur = await conn.execute(
        "SELECT id, board_id, incident_id, task_id, step, kind, actor_id, detail, at"
        " FROM audit_events WHERE review_id = %s ORDER BY id",
        (review_id,),
    )
    return [AuditEvent(**row) for row in await cur.fetchall()]
