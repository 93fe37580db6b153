"""Connections: one async pool per process."""

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
