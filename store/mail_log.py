"""The mail log: one row per intended e-mail, keyed so that a retry never sends twice."""

from store.directory import Conn, new_id


async def claim_as_sent(
    conn: Conn,
    *,
    key: str,
    kind: str,
    staff_id: str | None,
    to_address: str,
    incident_id: str | None,
    task_id: str | None,
) -> str | None:
    """Write the row for `key` as 'sent', locked, inside the caller's transaction.

    Returns the row id to send under, or None when that e-mail was sent already. The caller
    commits as the message leaves (or rolls back when it cannot leave), so 'sent' is only
    ever seen once the message went. The row lock makes a concurrent retry wait until the
    first attempt committed or rolled back. One statement: a new key inserts; a key whose
    earlier try was refused ('sending') is taken over and locked; a key already 'sent' is
    locked but not changed, and returns nothing.
    """
    cur = await conn.execute(
        """
        INSERT INTO mail_log AS m (id, idempotency_key, kind, staff_id, to_address,
                                   incident_id, task_id, status, sent_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s, 'sent', now())
        ON CONFLICT (idempotency_key) DO UPDATE SET status = 'sent', sent_at = now()
            WHERE m.status <> 'sent'
        RETURNING m.id
        """,
        (new_id(), key, kind, staff_id, to_address, incident_id, task_id),
    )
    row = await cur.fetchone()
    return str(row["id"]) if row else None


async def unmark_sent(conn: Conn, *, mail_id: str) -> None:
    """Take back a 'sent' the server then refused: the next try sends the e-mail."""
    await conn.execute(
        "UPDATE mail_log SET status = 'sending', sent_at = NULL WHERE id = %s", (mail_id,)
    )


async def sent_for_incident(conn: Conn, *, incident_id: str) -> list[dict[str, object]]:
    cur = await conn.execute(
        "SELECT idempotency_key, kind, staff_id, task_id, status FROM mail_log"
        " WHERE incident_id = %s ORDER BY created_at, idempotency_key",
        (incident_id,),
    )
    return list(await cur.fetchall())
