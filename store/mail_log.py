"""The mail log: one row per intended e-mail, keyed so that a retry never sends twice."""

from store.directory import Conn, new_id


async def claim(
    conn: Conn,
    *,
    key: str,
    kind: str,
    staff_id: str | None,
    to_address: str,
    incident_id: str | None,
    task_id: str | None,
) -> str | None:
    """Lock the row for `key` inside the caller's transaction.

    Returns the row id to send under, or None when that e-mail was sent already. The row lock
    makes a concurrent retry wait until the first attempt committed or rolled back.
    """
    await conn.execute(
        """
        INSERT INTO mail_log (id, idempotency_key, kind, staff_id, to_address, incident_id,
                              task_id, status)
        VALUES (%s, %s, %s, %s, %s, %s, %s, 'sending') ON CONFLICT (idempotency_key) DO NOTHING
        """,
        (new_id(), key, kind, staff_id, to_address, incident_id, task_id),
    )
    cur = await conn.execute(
        "SELECT id, status FROM mail_log WHERE idempotency_key = %s FOR UPDATE", (key,)
    )
    row = await cur.fetchone()
    if row is None or row["status"] == "sent":
        return None
    return str(row["id"])


async def mark_sent(conn: Conn, *, mail_id: str) -> None:
    await conn.execute(
        "UPDATE mail_log SET status = 'sent', sent_at = now() WHERE id = %s", (mail_id,)
    )


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
