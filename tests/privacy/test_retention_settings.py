"""A board sets its own retention term; `regie retention` erases by it, or lists with --dry-run."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from domain.roles import Role
from regie.cli import app as cli
from store.db import open_pool
from tests.fixtures.api import Api
from tests.fixtures.keys import TEST_KEY, TEST_KEY_ID
from tests.fixtures.world import make_world
from tests.privacy.test_retention import _closed_incident


async def test_the_board_admin_sets_the_term_and_it_is_recorded(api: Api) -> None:
    board = api.world.board_id
    admin = api.board_staff(Role.board_admin)
    url = f"/api/boards/{board}/retention"
    read = await api.client.get(url, headers=api.as_(admin))
    assert read.status_code == 200 and read.json() == {"term": "P2Y"}

    wrong = await api.client.put(url, json={"term": "2 jaar"}, headers=api.as_(admin))
    assert wrong.status_code == 422
    assert "P2Y" in wrong.text  # says how to write it
    refused = await api.client.put(
        url, json={"term": "P1Y"}, headers=api.as_(api.school_staff(Role.coordinator))
    )
    assert refused.status_code == 403

    changed = await api.client.put(url, json={"term": "P18M"}, headers=api.as_(admin))
    assert changed.status_code == 200 and changed.json() == {"term": "P18M"}
    officer = await api.client.put(
        url, json={"term": "P3Y"}, headers=api.as_(api.board_staff(Role.privacy_officer))
    )
    assert officer.json() == {"term": "P3Y"}
    async with api.runtime.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT actor_id, detail FROM audit_events WHERE board_id = %s"
            " AND kind = 'retention_changed' ORDER BY id",
            (board,),
        )
        rows = await cur.fetchall()
    assert [(r["actor_id"], r["detail"]) for r in rows] == [
        (admin, {"from": "P2Y", "to": "P18M"}),
        (api.board_staff(Role.privacy_officer), {"from": "P18M", "to": "P3Y"}),
    ]


def test_regie_retention_lists_with_dry_run_and_then_erases(
    own_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sync on purpose: the command runs its own event loop, as it does in a terminal."""
    now = datetime.now(UTC)

    async def seed() -> tuple[str, str, str]:
        pool = await open_pool(own_database, max_size=2)
        try:
            world = await make_world(pool)
            old = await _closed_incident(
                pool, world, closed_at=now - timedelta(days=800), name="Bram Eikelboom"
            )
            young = await _closed_incident(
                pool, world, closed_at=now - timedelta(days=300), name="Fenna Wilgenhof"
            )
            async with pool.connection() as conn:
                cur = await conn.execute("SELECT reference FROM incidents WHERE id = %s", (old,))
                row = await cur.fetchone()
                assert row is not None
            return old, young, str(row["reference"])
        finally:
            await pool.close()

    async def erased() -> set[str]:
        pool = await open_pool(own_database, max_size=2)
        try:
            async with pool.connection() as conn:
                cur = await conn.execute("SELECT id FROM incidents WHERE erased_at IS NOT NULL")
                return {str(r["id"]) for r in await cur.fetchall()}
        finally:
            await pool.close()

    old, young, reference = asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", own_database)
    monkeypatch.setenv("REGIE_KEYS", f"{TEST_KEY_ID}:{TEST_KEY}")
    monkeypatch.setenv("REGIE_KEYS_FILE", "")
    runner = CliRunner()

    dry = runner.invoke(cli, ["retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert reference in dry.output and "1 incident(s) would be erased (dry run)" in dry.output
    assert "Bram" not in dry.output
    assert asyncio.run(erased()) == set()

    done = runner.invoke(cli, ["retention"])
    assert done.exit_code == 0, done.output
    assert "1 incident(s) erased." in done.output
    assert asyncio.run(erased()) == {old}
    again = runner.invoke(cli, ["retention"])
    assert "0 incident(s) erased." in again.output
    assert young not in asyncio.run(erased())
