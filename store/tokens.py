"""Personal API tokens: created once (the plain token is shown once), revocable."""

from store.directory import STAFF_WITH_ROLES, Conn, Grant, Staff, staff_and_grants
from store.secrets import hash_secret, matches, new_credential, parse


async def create_token(conn: Conn, *, staff_id: str, label: str = "") -> str:
    """A new token for this staff member; the returned value is the only copy of it."""
    credential = new_credential("rgt")
    await conn.execute(
        "INSERT INTO api_tokens (id, staff_id, label, secret_hash) VALUES (%s, %s, %s, %s)",
        (credential.id, staff_id, label, hash_secret(credential.secret)),
    )
    return str(credential)


async def holder_of_token(conn: Conn, *, token: str) -> tuple[Staff, list[Grant]] | None:
    """The active staff member a valid, unrevoked token belongs to, with their roles, in one
    round trip; None otherwise."""
    credential = parse(token)
    if credential is None:
        return None
    cur = await conn.execute(
        f"""
        SELECT t.secret_hash, {STAFF_WITH_ROLES}
        FROM api_tokens t
        JOIN staff s ON s.id = t.staff_id
        LEFT JOIN staff_roles r ON r.staff_id = s.id
        WHERE t.id = %s AND t.revoked_at IS NULL AND s.active
        GROUP BY t.id, s.id
        """,
        (credential.id,),
    )
    row = await cur.fetchone()
    if row is None or not matches(credential.secret, row["secret_hash"]):
        return None
    return staff_and_grants(row)


async def staff_for_token(conn: Conn, *, token: str) -> str | None:
    """The staff id a valid, unrevoked token belongs to; None otherwise."""
    found = await holder_of_token(conn, token=token)
    return found[0].id if found else None


async def revoke(conn: Conn, *, token_id: str) -> bool:
    cur = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL",
        (token_id,),
    )
    return cur.rowcount == 1
