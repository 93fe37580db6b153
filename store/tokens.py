"""Personal API tokens: created once (the plain token is shown once), revocable."""

from store.directory import Conn
from store.secrets import hash_secret, matches, new_credential, parse


async def create_token(conn: Conn, *, staff_id: str, label: str = "") -> str:
    """A new token for this staff member; the returned value is the only copy of it."""
    credential = new_credential("rgt")
    await conn.execute(
        "INSERT INTO api_tokens (id, staff_id, label, secret_hash) VALUES (%s, %s, %s, %s)",
        (credential.id, staff_id, label, hash_secret(credential.secret)),
    )
    return str(credential)


async def staff_for_token(conn: Conn, *, token: str) -> str | None:
    """The staff id a valid, unrevoked token belongs to; None otherwise."""
    credential = parse(token)
    if credential is None:
        return None
    cur = await conn.execute(
        "SELECT t.staff_id, t.secret_hash FROM api_tokens t JOIN staff s ON s.id = t.staff_id"
        " WHERE t.id = %s AND t.revoked_at IS NULL AND s.active",
        (credential.id,),
    )
    row = await cur.fetchone()
    if row is None or not matches(credential.secret, row["secret_hash"]):
        return None
    return str(row["staff_id"])


async def revoke(conn: Conn, *, token_id: str) -> bool:
    cur = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL",
        (token_id,),
    )
    return cur.rowcount == 1
