"""Events written before the chain existed get their links from migration 0006, in id order;
migration 0011 puts each board's chain end in its head row, where the next event starts."""

from datetime import UTC, datetime

import psycopg

from store import audit
from store.audit_chain import verify
from tests.fixtures.database import migrated_across


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
    async with migrated_across(
        postgres_server_url,
        "regie_chain",
        upto="0004.policy-review",
        write=_events_before_the_chain,
    ) as pool:
        result = await verify(pool)
        assert result.intact
        assert {(b.board_id, b.events) for b in result.boards} == {("b-one", 3), ("b-two", 3)}
        async with pool.connection() as conn:
            assert await audit.record(
                conn, key="new:1", kind="incident_viewed", at=datetime.now(UTC),
                incident_id=None, board_id="b-one",
            )  # fmt: skip
        result = await verify(pool)
        assert result.intact
        assert {(b.board_id, b.events) for b in result.boards} == {("b-one", 4), ("b-two", 3)}
