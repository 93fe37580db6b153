"""E-mail sign-in links (single use, short-lived) and web sessions (expiring, revocable)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from store.directory import Conn
from store.secrets import hash_secret, matches, new_credential, parse

# A session nobody used for this long is refused, however long it had left: a computer left
# signed in at school does not stay open for the rest of the day.
IDLE_TIMEOUT = timedelta(hours=1)
# last_seen_at is written at most this often, not on every request.
_SEEN_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class Session:
    id: str
    staff_id: str
    task_id: str | None  # a session from a task link reaches that task only
    expires_at: datetime


async def create_sign_in_link(conn: Conn, *, staff_id: str, ttl: timedelta) -> str:
    credential = new_credential("rgl")
    await conn.execute(
        "INSERT INTO sign_in_links (id, staff_id, secret_hash, expires_at)"
        " VALUES (%s, %s, %s, now() + %s)",
        (credential.id, staff_id, hash_secret(credential.secret), ttl),
    )
    return str(credential)


async def use_sign_in_link(conn: Conn, *, token: str) -> str | None:
    """The staff id, once: the link is spent by this call. None if unknown, used or expired."""
    credential = parse(token)
    if credential is None:
        return None
    cur = await conn.execute(
        "UPDATE sign_in_links SET used_at = now()"
        " WHERE id = %s AND used_at IS NULL AND expires_at > now()"
        " RETURNING staff_id, secret_hash",
        (credential.id,),
    )
    row = await cur.fetchone()
    if row is None or not matches(credential.secret, row["secret_hash"]):
        return None
    return str(row["staff_id"])


async def recent_sign_in_links(conn: Conn, *, staff_id: str, within: timedelta) -> int:
    cur = await conn.execute(
        "SELECT count(*) AS n FROM sign_in_links WHERE staff_id = %s AND created_at > now() - %s",
        (staff_id, within),
    )
    row = await cur.fetchone()
    return int(row["n"]) if row else 0


async def create_session(
    conn: Conn, *, staff_id: str, ttl: timedelta, task_id: str | None = None
) -> str:
    credential = new_credential("rgs")
    await conn.execute(
        "INSERT INTO sessions (id, staff_id, secret_hash, task_id, expires_at)"
        " VALUES (%s, %s, %s, %s, now() + %s)",
        (credential.id, staff_id, hash_secret(credential.secret), task_id, ttl),
    )
    return str(credential)


async def session_for(conn: Conn, *, token: str, idle: timedelta = IDLE_TIMEOUT) -> Session | None:
    """The live session: not revoked, not expired, not idle for longer than `idle`."""
    credential = parse(token)
    if credential is None:
        return None
    cur = await conn.execute(
        "SELECT s.id, s.staff_id, s.task_id, s.expires_at, s.secret_hash,"
        " s.last_seen_at < now() - %s AS stale_seen FROM sessions s"
        " JOIN staff st ON st.id = s.staff_id AND st.active"
        " WHERE s.id = %s AND s.revoked_at IS NULL AND s.expires_at > now()"
        " AND s.last_seen_at > now() - %s",
        (_SEEN_GRANULARITY, credential.id, idle),
    )
    row = await cur.fetchone()
    if row is None or not matches(credential.secret, row["secret_hash"]):
        return None
    if row["stale_seen"]:
        await conn.execute("UPDATE sessions SET last_seen_at = now() WHERE id = %s", (row["id"],))
    return Session(
        id=str(row["id"]),
        staff_id=str(row["staff_id"]),
        task_id=row["task_id"],
        expires_at=row["expires_at"],
    )


async def revoke_session(conn: Conn, *, session_id: str) -> None:
    await conn.execute("UPDATE sessions SET revoked_at = now() WHERE id = %s", (session_id,))
