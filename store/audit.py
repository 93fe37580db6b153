"""The audit log: append-only; a retried activity writes each event once (idempotency key)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

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
    """Write one event; False if an event with this key exists. `detail` holds no personal data."""
    cur = await conn.execute(
        """
        INSERT INTO audit_events (board_id, incident_id, review_id, task_id, step, kind,
                                  actor_id, detail, idempotency_key, at)
        SELECT coalesce(%(board)s, i.board_id, r.board_id), %(incident)s, %(review)s, %(task)s,
               %(step)s, %(kind)s, %(actor)s, %(detail)s, %(key)s, %(at)s
        FROM (SELECT 1) one
        LEFT JOIN incidents i ON i.id = %(incident)s
        LEFT JOIN policy_reviews r ON r.id = %(review)s
        ON CONFLICT (idempotency_key) DO NOTHING
        """,
        {
            "board": board_id,
            "incident": incident_id,
            "review": review_id,
            "task": task_id,
            "step": step,
            "kind": kind,
            "actor": actor_id,
            "detail": Jsonb(detail or {}),
            "key": key,
            "at": at,
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
