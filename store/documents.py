"""Texts Regie prepares and sends: report hand-offs, parent letters, media statements."""

from store.crypto import seal, unseal
from store.directory import Conn


async def upsert(
    conn: Conn,
    *,
    document_id: str,
    incident_id: str,
    task_id: str | None,
    kind: str,
    body: str,
    status: str,
    audience: str | None = None,
) -> None:
    await conn.execute(
        """
        INSERT INTO documents (id, incident_id, task_id, kind, audience, body, status)
        VALUES (%s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, status = EXCLUDED.status
        """,
        (
            document_id,
            incident_id,
            task_id,
            kind,
            audience,
            seal(body, table="documents", column="body"),
            status,
        ),
    )


async def of_incident(conn: Conn, *, incident_id: str, kind: str) -> list[dict[str, str]]:
    cur = await conn.execute(
        "SELECT id, task_id, audience, body, status FROM documents"
        " WHERE incident_id = %s AND kind = %s ORDER BY created_at, id",
        (incident_id, kind),
    )
    rows = [
        {k: str(v) if v is not None else "" for k, v in row.items()} for row in await cur.fetchall()
    ]
    for row in rows:
        row["body"] = unseal(row["body"], table="documents", column="body")
    return rows
