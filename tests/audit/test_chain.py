"""The audit log in PostgreSQL: a chain per board, append-only for the app, and `regie audit
verify` naming the first event that was changed behind the application's back."""

import asyncio
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from domain.audit_hash import ChainFields, link_hash
from store import audit
from store.audit_chain import verify
from store.db import Pool, reading

ROOT = Path(__file__).resolve().parents[2]


async def _board(pool: Pool) -> str:
    board_id = f"audit-{uuid.uuid4().hex[:10]}"
    async with pool.connection() as conn:
        await conn.execute(
            "INSERT INTO boards (id, name) VALUES (%s, %s)", (board_id, "Stichting Audit")
        )
    return board_id


async def _record(pool: Pool, board_id: str, n: int) -> None:
    async with pool.connection() as conn:
        await audit.record(
            conn,
            key=f"test:{board_id}:{n}",
            kind="incident_viewed",
            at=datetime(2026, 3, 3, 14, 0, tzinfo=UTC) + timedelta(seconds=n),
            incident_id=None,
            board_id=board_id,
            actor_id=f"staff-{n}",
            detail={"n": n, "ratio": 0.1 * n, "big": 1e20},
        )


async def _ids(pool: Pool, board_id: str) -> list[int]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT id FROM audit_events WHERE board_id = %s ORDER BY id", (board_id,)
        )
        return [int(r["id"]) for r in await cur.fetchall()]


async def _regie(database_url: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "regie.cli", *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode()


async def test_fifty_events_written_at_once_make_one_intact_chain(pool: Pool) -> None:
    board_id = await _board(pool)
    await asyncio.gather(*(_record(pool, board_id, n) for n in range(50)))
    result = await verify(pool, board_id=board_id)
    assert result.intact and result.events == 50
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(DISTINCT prev_hash) AS links FROM audit_events WHERE board_id = %s",
            (board_id,),
        )
        assert (await cur.fetchone()) == {"links": 50}  # no two events follow the same one


async def test_a_retried_write_adds_no_link(pool: Pool) -> None:
    board_id = await _board(pool)
    await _record(pool, board_id, 1)
    async with pool.connection() as conn:
        again = await audit.record(
            conn, key=f"test:{board_id}:1", kind="other", at=datetime.now(UTC),
            incident_id=None, board_id=board_id,
        )  # fmt: skip
    assert again is False
    assert len(await _ids(pool, board_id)) == 1
    assert (await verify(pool, board_id=board_id)).intact


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET detail = '{\"edited\": true}' WHERE board_id = %s",
        "DELETE FROM audit_events WHERE board_id = %s",
        "TRUNCATE audit_events",
    ],
    ids=["update", "delete", "truncate"],
)
async def test_the_applications_connection_cannot_change_the_log(
    pool: Pool, statement: str
) -> None:
    board_id = await _board(pool)
    await _record(pool, board_id, 1)
    async with pool.connection() as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            await conn.execute(statement, (board_id,) if "%s" in statement else None)
        await conn.rollback()
    assert len(await _ids(pool, board_id)) == 1


async def _behind_the_apps_back(database_url: str, sql: str, *params: object) -> None:
    """What someone with superuser rights could do: set the trigger aside and change a row."""
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(sql, params)


async def test_verify_names_an_event_edited_directly_in_postgresql(
    pool: Pool, database_url: str
) -> None:
    board_id = await _board(pool)
    for n in range(5):
        await _record(pool, board_id, n)
    code, out = await _regie(database_url, "audit", "verify", "--board", board_id)
    assert code == 0, out
    assert "Intact: 5 audit event(s) in 1 board chain(s)" in out

    edited = (await _ids(pool, board_id))[2]
    await _behind_the_apps_back(
        database_url,
        "UPDATE audit_events SET detail = '{\"n\": 99}' WHERE id = %s",
        edited,
    )
    code, out = await _regie(database_url, "audit", "verify", "--board", board_id)
    assert code == 1, out
    assert f"event {edited} (board {board_id})" in out
    assert "does not match its fields" in out
    result = await verify(pool, board_id=board_id)
    assert [(b.event_id, b.reason.value) for b in result.broken] == [(edited, "hash")]


async def test_verify_names_the_event_after_a_removed_one(pool: Pool, database_url: str) -> None:
    board_id = await _board(pool)
    for n in range(4):
        await _record(pool, board_id, n)
    ids = await _ids(pool, board_id)
    await _behind_the_apps_back(database_url, "DELETE FROM audit_events WHERE id = %s", ids[1])
    result = await verify(pool, board_id=board_id)
    assert [(b.event_id, b.reason.value) for b in result.broken] == [(ids[2], "prev_hash")]


async def test_verify_reports_progress_over_all_boards(pool: Pool) -> None:
    board_id = await _board(pool)
    for n in range(3):
        await _record(pool, board_id, n)
    seen: list[tuple[int, int]] = []
    result = await verify(pool, board_id=board_id, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert result.events == 3


async def test_an_event_is_not_written_on_a_connection_outside_a_transaction(pool: Pool) -> None:
    board_id = await _board(pool)
    async with reading(pool) as conn:
        with pytest.raises(RuntimeError, match="inside a transaction"):
            await audit.record(
                conn, key=f"test:{board_id}:reading", kind="incident_viewed",
                at=datetime.now(UTC), incident_id=None, board_id=board_id,
            )  # fmt: skip
    assert await _ids(pool, board_id) == []


async def test_the_head_row_follows_the_chain_also_for_a_writer_that_bypasses_it(
    pool: Pool,
) -> None:
    """An older replica during an upgrade appends without the head row; the next writer must
    still find the chain's real end, or its event would be refused as a fork for ever."""
    board_id = await _board(pool)
    await _record(pool, board_id, 1)
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT hash FROM audit_events WHERE board_id = %s ORDER BY id DESC LIMIT 1",
            (board_id,),
        )
        end = (await cur.fetchone() or {})["hash"]
        fields = ChainFields(
            board=board_id, incident=None, review=None, task=None, step=None,
            kind="incident_viewed", actor=None, detail={}, at=datetime(2026, 3, 4, tzinfo=UTC),
            key=f"test:{board_id}:old-writer",
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO audit_events (board_id, kind, detail, idempotency_key, at, prev_hash,"
            " hash) VALUES (%s, 'incident_viewed', '{}', %s, %s, %s, %s)",
            (board_id, fields.key, fields.at, end, link_hash(end, fields)),
        )
    await _record(pool, board_id, 2)
    result = await verify(pool, board_id=board_id)
    assert result.intact and result.events == 3
