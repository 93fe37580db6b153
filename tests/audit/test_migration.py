"""Events written before the chain existed get their links from migration 0006, in id order."""

import asyncio

import psycopg

from store.audit_chain import verify
from store.db import open_pool
from tests.fixtures.database import fresh_database, migrate_upto


def _events_before_the_chain(url: str) -> None:
    with psycopg.connect(url) as conn:
        for board in ("b-one", "b-two"):
            conn.execute("INSERT INTO boards (id, name) VALUES (%s, %s)", (board, board))
        for n in range(6):
            conn.execute(
                "INSERT INTO audit_events (board_id, kind, detail, idempotency_key, at)"
                " VALUES (%s, 'incident_viewed', %s, %s, now())",
                ("b-one" if n % 2 else "b-two", f'{{"n": {n}}}', f"old:{n}"),
            )


async def test_existing_events_are_chained_by_the_migration(postgres_server_url: str) -> None:
    with fresh_database(postgres_server_url, "regie_chain") as url:
        await asyncio.to_thread(migrate_upto, url, upto="0004.policy-review")
        await asyncio.to_thread(_events_before_the_chain, url)
        await asyncio.to_thread(migrate_upto, url, upto=None)
        pool = await open_pool(url, max_size=2)
        try:
            result = await verify(pool)
        finally:
            await pool.close()
        assert result.intact
        assert {(b.board_id, b.events) for b in result.boards} == {("b-one", 3), ("b-two", 3)}
