"""Answers to tasks and the notes that go with signals: the free text behind the claim check."""

from typing import Any

from psycopg.types.json import Jsonb

from store.crypto import seal, seal_json, unseal_json
from store.directory import Conn, new_id


async def insert_pending(
    conn: Conn,
    *,
    task_id: str,
    incident_id: str | None,
    kind: str,
    actor_id: str,
    body: dict[str, Any],
    review_id: str | None = None,
) -> str:
    answer_id = new_id()
    await conn.execute(
        "INSERT INTO answers (id, task_id, incident_id, review_id, kind, actor_id, body)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (
            answer_id,
            task_id,
            incident_id,
            review_id,
            kind,
            actor_id,
            Jsonb(seal_json(body, table="answers", column="body")),
        ),
    )
    return answer_id


async def accept(conn: Conn, *, answer_id: str) -> None:
    await conn.execute("UPDATE answers SET status = 'accepted' WHERE id = %s", (answer_id,))


async def discard_pending(conn: Conn, *, answer_id: str) -> None:
    """Forget a refused answer and the persons it named."""
    cur = await conn.execute(
        "DELETE FROM answers WHERE id = %s AND status = 'pending'", (answer_id,)
    )
    if cur.rowcount:
        await conn.execute("DELETE FROM incident_persons WHERE answer_id = %s", (answer_id,))


async def get_body(conn: Conn, *, answer_id: str) -> dict[str, Any]:
    cur = await conn.execute("SELECT body FROM answers WHERE id = %s", (answer_id,))
    row = await cur.fetchone()
    if row is None:
        raise LookupError(f"answer {answer_id} does not exist")
    body: dict[str, Any] = unseal_json(row["body"], table="answers", column="body")
    return body


async def insert_note(
    conn: Conn,
    *,
    incident_id: str,
    kind: str,
    body: str,
    actor_id: str | None,
    task_id: str | None = None,
) -> str:
    note_id = new_id()
    await conn.execute(
        "INSERT INTO notes (id, incident_id, task_id, kind, actor_id, body)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (note_id, incident_id, task_id, kind, actor_id, seal(body, table="notes", column="body")),
    )
    return note_id


async def delete_note(conn: Conn, *, note_id: str) -> None:
    await conn.execute("DELETE FROM notes WHERE id = %s", (note_id,))
