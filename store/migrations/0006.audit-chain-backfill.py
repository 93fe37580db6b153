"""The hash chain for audit events written before 0005: each board's events in id order.

The hashes are computed in Python with the very function `store.audit.record` and
`regie audit verify` use, so the chain is one chain from the first event on. The append-only
trigger is set aside for this one transaction only, to fill in the two new columns.
"""

from typing import Any

from yoyo import step

from domain.audit_hash import GENESIS, ChainFields, link_hash

__depends__ = {"0005.audit-chain"}


def backfill(conn: Any) -> None:
    cur = conn.cursor()
    cur.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
    cur.execute(
        "SELECT id, board_id, incident_id, review_id, task_id, step, kind, actor_id, detail,"
        " at, idempotency_key FROM audit_events WHERE hash IS NULL ORDER BY board_id, id"
    )
    rows = cur.fetchall()
    last: dict[str, str] = {}
    updates = []
    for ident, board, incident, review, task, step_, kind, actor, detail, at, key in rows:
        prev = last.get(board, GENESIS)
        fields = ChainFields(
            board=board,
            incident=incident,
            review=review,
            task=task,
            step=step_,
            kind=kind,
            actor=actor,
            detail=detail,
            at=at,
            key=key,
        )
        last[board] = link_hash(prev, fields)
        updates.append((prev, last[board], ident))
    if updates:
        cur.executemany("UPDATE audit_events SET prev_hash = %s, hash = %s WHERE id = %s", updates)
    cur.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    cur.execute(
        "ALTER TABLE audit_events ALTER COLUMN prev_hash SET NOT NULL,"
        " ALTER COLUMN hash SET NOT NULL"
    )
    cur.execute(
        "CREATE UNIQUE INDEX audit_events_chain_no_fork ON audit_events (board_id, prev_hash)"
    )


steps = [step(backfill)]
