"""Events written before the chain existed get their links from migration 0006, in id order."""

import asyncio
from importlib.resources import files

import psycopg
from yoyo import get_backend, read_migrations

from store.audit_chain import verify
from store.db import open_pool
from store.migrate import _yoyo_url, as_url
from tests.fixtures.database import fresh_database


def _migrate(url: str, *, upto: str | None) -> None:
    backend = get_backend(_yoyo_url(as_url(url)))
    migrations = read_migrations(str(files("store") / "migrations"))
    with backend.lock():
        pending = backend.to_apply(migrations)
        if upto is not None:
            ids = [m.id for m in pending]
            pending = pending[: ids.index(upto) + 1]
        backend.apply_migrations(pending)


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
        await asyncio.to_thread(_migrate, url, upto="0004.policy-review")
        await asyncio.to_thread(_events_before_the_chain, url)
        await asyncio.to_thread(_migrate, url, upto=None)
        pool = await open_pool(url, max_size=2)
        try:
            result = await verify(pool)
        finally:
            await pool.close()
        assert result.intact
        assert {(b.board_id, b.events) for b in result.boards} == {("b-one", 3), ("b-two", 3)}
