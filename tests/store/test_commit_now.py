"""`store.db.commit_now`: the COMMIT is on its way when the call returns, so a process that
dies the next moment has committed anyway; its outcome comes with the awaitable."""

import asyncio
import os

import psycopg
import pytest
from psycopg.pq import TransactionStatus

from store.db import commit_now


def _status(conn: psycopg.AsyncConnection[object]) -> TransactionStatus:
    return conn.info.transaction_status


async def _rows(url: str, table: str) -> int:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as other:
        cur = await other.execute(f"SELECT count(*) FROM {table}")
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_the_commit_is_sent_before_the_call_returns(own_database: str) -> None:
    async with await psycopg.AsyncConnection.connect(own_database) as conn:
        await conn.execute("CREATE TABLE sent_now (n int)")
        await conn.commit()
        await conn.execute("INSERT INTO sent_now VALUES (1)")
        assert _status(conn) is TransactionStatus.INTRANS
        committing = commit_now(conn)
        # Nothing awaited yet, and the COMMIT is already the command in flight.
        assert _status(conn) is TransactionStatus.ACTIVE
        await committing
        assert _status(conn) is TransactionStatus.IDLE
        assert await _rows(own_database, "sent_now") == 1
        # The connection goes on as usual.
        await conn.execute("INSERT INTO sent_now VALUES (2)")
        await conn.commit()
    assert await _rows(own_database, "sent_now") == 2


async def test_a_process_gone_right_after_the_call_has_committed(own_database: str) -> None:
    conn = await psycopg.AsyncConnection.connect(own_database)
    await conn.execute("CREATE TABLE died_after (n int)")
    await conn.commit()
    await conn.execute("INSERT INTO died_after VALUES (1)")
    committing = commit_now(conn)
    # As a SIGKILL leaves it: the socket closed by the kernel, nothing more read or sent.
    os.close(conn.pgconn.socket)
    committing.close()  # type: ignore[attr-defined]  # the coroutine never runs
    for _ in range(100):
        if await _rows(own_database, "died_after") == 1:
            break
        await asyncio.sleep(0.02)
    assert await _rows(own_database, "died_after") == 1


async def test_a_failing_commit_raises_when_awaited(own_database: str) -> None:
    async with await psycopg.AsyncConnection.connect(own_database) as conn:
        await conn.execute("CREATE TABLE checked_late (n int UNIQUE DEFERRABLE INITIALLY DEFERRED)")
        await conn.commit()
        await conn.execute("INSERT INTO checked_late VALUES (1), (1)")
        committing = commit_now(conn)  # the unique check runs at COMMIT, and fails
        with pytest.raises(psycopg.OperationalError, match="COMMIT failed"):
            await committing
        assert conn.info.transaction_status is TransactionStatus.IDLE
    assert await _rows(own_database, "checked_late") == 0


async def test_a_broken_connection_raises_when_awaited_not_when_called(
    own_database: str,
) -> None:
    conn = await psycopg.AsyncConnection.connect(own_database)
    await conn.close()
    committing = commit_now(conn)  # the caller's callback must not raise
    with pytest.raises(psycopg.OperationalError):
        await committing
