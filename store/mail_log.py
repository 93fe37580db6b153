"""The mail log: one row per intended e-mail, keyed so that a retry never sends twice."""

from dataclasses import dataclass

from store.directory import Conn, new_id


@dataclass(frozen=True)
class Claim:
    """An e-mail's row in the log, and what the e-mail needs: where it goes, in which
    language, and the school (and incident reference) it is about."""

    mail_id: str | None  # None: this e-mail was sent before
    email: str
    language: str
    school_id: str
    board_id: str
    school_name: str
    reference: str | None


async def claim_as_sent(
    conn: Conn,
    *,
    key: str,
    kind: str,
    staff_id: str,
    incident_id: str | None,
    school_id: str | None,
    task_id: str | None,
) -> Claim | None:
    """Write the row for `key` as 'sent', locked, inside the caller's transaction, and read
    its addressee; None when the staff member, the incident or the school does not exist.
    The school is the incident's when there is one, else `school_id`.

    The caller commits as the message leaves (or rolls back when it cannot leave), so 'sent'
    is only ever seen once the message went. The row lock makes a concurrent retry wait until
    the first attempt committed or rolled back. One statement: a new key inserts; a key whose
    earlier try was refused ('sending') is taken over and locked; a key already 'sent' is
    locked but not changed, and the claim's mail_id is None. A key refused for good before is
    tried again: the address may have been put right since.
    """
    cur = await conn.execute(
        """
        WITH addressee AS (
            SELECT s.email, s.language, sc.id AS school_id, sc.board_id,
                   sc.name AS school_name, i.reference
            FROM staff s
            LEFT JOIN incidents i ON i.id = %(incident)s
            JOIN schools sc ON sc.id = coalesce(i.school_id, %(school)s)
            WHERE s.id = %(staff)s AND (%(incident)s::text IS NULL OR i.id IS NOT NULL)
        ), claimed AS (
            INSERT INTO mail_log AS m (id, idempotency_key, kind, staff_id, to_address,
                                       incident_id, task_id, status, sent_at)
            SELECT %(id)s, %(key)s, %(kind)s, %(staff)s, a.email, %(incident)s, %(task)s,
                   'sent', now()
            FROM addressee a
            ON CONFLICT (idempotency_key) DO UPDATE SET status = 'sent', sent_at = now()
                WHERE m.status <> 'sent'
            RETURNING m.id
        )
        SELECT (SELECT id FROM claimed) AS mail_id, a.* FROM addressee a
        """,
        {
            "id": new_id(),
            "key": key,
            "kind": kind,
            "staff": staff_id,
            "incident": incident_id,
            "school": school_id,
            "task": task_id,
        },
    )
    row = await cur.fetchone()
    return Claim(**row) if row else None


async def unmark_sent(conn: Conn, *, mail_id: str) -> None:
    """Take back a 'sent' the server then refused: the next try sends the e-mail."""
    await conn.execute(
        "UPDATE mail_log SET status = 'sending', sent_at = NULL WHERE id = %s", (mail_id,)
    )


async def mark_refused(conn: Conn, *, mail_id: str) -> None:
    """The server refused the address for good: no retry of this e-mail can help."""
    await conn.execute(
        "UPDATE mail_log SET status = 'refused', sent_at = NULL WHERE id = %s", (mail_id,)
    )


async def sent_for_incident(conn: Conn, *, incident_id: str) -> list[dict[str, object]]:
    cur = await conn.execute(
        "SELECT idempotency_key, kind, staff_id, task_id, status FROM mail_log"
        " WHERE incident_id = %s ORDER BY created_at, idempotency_key",
        (incident_id,),
    )
    return list(await cur.fetchall())
