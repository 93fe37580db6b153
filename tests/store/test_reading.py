"""`store.db.reading` and `one_write`: statements without BEGIN and COMMIT, and a connection
handed back as it was."""

import pytest
from psycopg import errors
from psycopg.pq import TransactionStatus

from store.db import one_write, open_pool, reading


async def test_reads_run_outside_a_transaction_and_the_pool_gets_its_usual_connection_back(
    own_database: str,
) -> None:
    pool = await open_pool(own_database, min_size=1, max_size=1)
    try:
        async with reading(pool) as conn:
            await conn.execute("SELECT 1")
            # A pool connection in its usual mode would now be inside the BEGIN it sent.
            assert conn.info.transaction_status is TransactionStatus.IDLE
            first = conn
        async with pool.connection() as conn:
            assert conn is first  # the one connection of this pool, back in its usual mode
            assert not conn.autocommit
            await conn.execute("SELECT 1")
            assert conn.info.transaction_status is TransactionStatus.INTRANS
    finally:
        await pool.close()


async def test_a_failed_read_leaves_the_connection_usable(own_database: str) -> None:
    pool = await open_pool(own_database, min_size=1, max_size=1)
    try:
        with pytest.raises(errors.UndefinedTable):
            async with reading(pool) as conn:
                await conn.execute("SELECT * FROM no_such_table")
        async with pool.connection() as conn:
            assert not conn.autocommit
            cur = await conn.execute("SELECT 2 AS two")
            assert await cur.fetchone() == {"two": 2}
    finally:
        await pool.close()


async def test_a_single_write_is_committed_by_itself(own_database: str) -> None:
    pool = await open_pool(own_database, min_size=2, max_size=2)
    try:
        async with pool.connection() as conn:
            await conn.execute("CREATE TABLE written (n int)")
        async with one_write(pool) as conn:
            await conn.execute("INSERT INTO written VALUES (1)")
            assert conn.info.transaction_status is TransactionStatus.IDLE
            async with pool.connection() as other:  # sees it before the block ends
                cur = await other.execute("SELECT n FROM written")
                assert await cur.fetchall() == [{"n": 1}]
        async with pool.connection() as conn, pool.connection() as other:
            assert not conn.autocommit and not other.autocommit
    finally:
        await pool.close()
