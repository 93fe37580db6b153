"""The per-client limit on sign-in link requests, kept in PostgreSQL so every replica shares it."""

import hashlib
import hmac
from datetime import timedelta

from store.directory import Conn


def client_hash(secret_key: str, client_ip: str) -> str:
    """A keyed hash of the IP: enough to count requests, useless to anyone reading the table."""
    return hmac.new(secret_key.encode(), f"ip:{client_ip}".encode(), hashlib.sha256).hexdigest()


async def admit_sign_in_request(conn: Conn, *, client: str, limit: int, within: timedelta) -> bool:
    """Record a request from `client` and say yes, unless it made `limit` in the window already.

    Refused requests are not recorded, so a flood cannot grow the table past `limit` rows per
    client and window. The caller's transaction must commit for the request to count.
    """
    # One client's requests are decided one at a time, also across replicas: without the lock
    # two concurrent requests could both see limit - 1 and both pass.
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"sign-in:{client}",))
    # What has left the window is of no use any more (and an IP's trace should not linger).
    await conn.execute("DELETE FROM sign_in_requests WHERE requested_at < now() - %s", (within,))
    cur = await conn.execute(
        "SELECT count(*) AS n FROM sign_in_requests"
        " WHERE client_hash = %s AND requested_at > now() - %s",
        (client, within),
    )
    row = await cur.fetchone()
    if row is not None and int(row["n"]) >= limit:
        return False
    await conn.execute("INSERT INTO sign_in_requests (client_hash) VALUES (%s)", (client,))
    return True
