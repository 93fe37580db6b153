"""Connections: one async pool per process."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

Pool = AsyncConnectionPool[AsyncConnection[DictRow]]


async def open_pool(database_url: str, *, min_size: int = 1, max_size: int = 10) -> Pool:
    pool: Pool = AsyncConnectionPool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        kwargs={"row_factory": dict_row, "autocommit": False},
        connection_class=AsyncConnection[DictRow],
        open=False,
    )
    await pool.open(wait=True, timeout=30)
    return pool


@asynccontextmanager
async def reading(pool: Pool) -> AsyncIterator[AsyncConnection[DictRow]]:
    """A connection for reads that need no common snapshot: every statement is a transaction
    of its own, which saves the BEGIN and COMMIT round trips around them.

    Only for reads. A write here would commit on its own, and a transaction-scoped lock (the
    audit chain's) would end with its statement.
    """
    async with _statement_by_statement(pool) as conn:
        yield conn


@asynccontextmanager
async def one_write(pool: Pool) -> AsyncIterator[AsyncConnection[DictRow]]:
    """A connection for a write that is a single statement (and the reads it needs first),
    which PostgreSQL carries out whole or not at all: without BEGIN and COMMIT around it, two
    round trips fewer.

    Never for two writes that must stand or fall together: each would commit on its own.
    """
    async with _statement_by_statement(pool) as conn:
        yield conn


@asynccontextmanager
async def _statement_by_statement(pool: Pool) -> AsyncIterator[AsyncConnection[DictRow]]:
    async with pool.connection() as conn:
        await conn.set_autocommit(True)  # no round trip: psycopg only flips its own flag
        try:
            yield conn
        finally:
            if not conn.closed:
                await conn.set_autocommit(False)
