"""Connections: one async pool per process."""

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection, OperationalError, generators, pq
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


def commit_now(conn: AsyncConnection[Any]) -> Awaitable[None]:
    """Send the transaction's COMMIT before returning; await the result for PostgreSQL's answer.

    psycopg's own `commit()` sends nothing until a coroutine runs it, one turn of the event
    loop or more after it was asked for. This puts the COMMIT on the socket at once, for a
    commit that must leave together with something else (an e-mail's final ".", see
    activities/notify.py). Only between statements: nothing else may be running on `conn`.
    An error in sending is raised by the awaitable, not here.
    """
    sent: OperationalError | None = None
    try:
        conn.pgconn.send_query(b"COMMIT")  # libpq flushes what the socket takes now
    except OperationalError as error:
        sent = error

    async def answered() -> None:
        if sent is not None:
            raise sent
        # Flushes whatever the socket did not take at once, then reads the answer.
        results = await conn.wait(generators.execute(conn.pgconn))
        for result in results:
            if result.status != pq.ExecStatus.COMMAND_OK:
                message = (result.error_message or b"").decode(errors="replace").strip()
                raise OperationalError(f"COMMIT failed: {message or result.status.name}")

    return answered()


@asynccontextmanager
async def _statement_by_statement(pool: Pool) -> AsyncIterator[AsyncConnection[DictRow]]:
    async with pool.connection() as conn:
        await conn.set_autocommit(True)  # no round trip: psycopg only flips its own flag
        try:
            yield conn
        finally:
            if not conn.closed:
                await conn.set_autocommit(False)
