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

    The event is the next link of its board's hash chain (`domain.audit_hash`). The board's
    head row (migration 0011), locked until the caller's transaction ends, makes the board's
    writers take turns, so each one reads the latest hash and no two events follow the same
    one. The values are hashed as PostgreSQL stores them (jsonb, timestamptz), so `regie
    audit verify` reading them back computes the same hash.
    """
    if conn.autocommit:
        # The head row's lock would end with the statement, and two writers could fork the
        # chain (the unique index would then refuse one of them).
        raise RuntimeError("audit events are written inside a transaction; not on `reading`")
    # One statement resolves the board, locks its head row and reads the chain's end. The
    # upsert waits for the board's previous writer and then returns the row as that writer
    # committed it; a plain read would see it as of the moment the statement began.
    cur = await conn.execute(
        """
        INSERT INTO audit_heads AS h (board_id)
        SELECT board
        FROM (SELECT coalesce(%(board)s, i.board_id, r.board_id) AS board
              FROM (SELECT 1) one
              LEFT JOIN incidents i ON i.id = %(incident)s
              LEFT JOIN policy_reviews r ON r.id = %(review)s) resolved
        WHERE board IS NOT NULL
        ON CONFLICT (board_id) DO UPDATE SET hash = h.hash
        RETURNING h.board_id AS board, h.hash, %(detail)s::jsonb AS detail,
                  %(at)s::timestamptz AS at
        """,
        {
            "board": board_id,
            "incident": incident_id,
            "review": review_id,
            "detail": Jsonb(detail or {}),
            "at": at,
        },
    )
    latest = await cur.fetchone()
    if latest is None:
        raise ValueError(f"audit event {key}: no board (incident or review unknown)")
    board = latest["board"]
    prev_hash = str(latest["hash"]) if latest["hash"] is not None else GENESIS
    fields = ChainFields(
        board=board,
        incident=incident_id,
        review=review_id,
        task=task_id,
        step=step,
        kind=kind,
        actor=actor_id,
        detail=latest["detail"],
        at=latest["at"],
        key=key,
    )
    cur = await conn.execute(
        """
        INSERT INTO audit_events (board_id, incident_id, review_id, task_id, step, kind,
                                  actor_id, detail, idempotency_key, at, prev_hash, hash)
        VALUES (%(board)s, %(incident)s, %(review)s, %(task)s, %(step)s, %(kind)s, %(actor)s,
                %(detail)s, %(key)s, %(at)s, %(prev)s, %(hash)s)
        ON CONFLICT (idempotency_key) DO NOTHING
        """,  # a retry's event exists already: no link; the trigger moves the head otherwise
        {
            "board": board,
            "incident": incident_id,
            "review": review_id,
            "task": task_id,
            "step": step,
            "kind": kind,
            "actor": actor_id,
            "detail": Jsonb(latest["detail"]),
            "key": key,
            "at": latest["at"],
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
