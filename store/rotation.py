"""Key rotation: re-encrypt every personal value with the active key, a batch at a time.

Runs beside the live service. Each batch is its own short transaction that locks only the rows
it rewrites (FOR UPDATE), so a request touching one of them waits milliseconds, not the whole
run; readers never wait, since every process decrypts with whichever key a value names. A value
already under the active key is skipped, so an interrupted run is finished by running it again.
Plaintext written before encryption existed is encrypted on the way.
"""

from collections.abc import Callable
from dataclasses import dataclass

from psycopg import sql
from psycopg.types.json import Jsonb

from store.crypto import PREFIX, Keyring, keyring
from store.db import Pool


@dataclass(frozen=True)
class Column:
    table: str
    column: str
    key: str = "id"  # the primary key, for keyset pagination
    json: bool = False  # a jsonb column holding {"enc": "<token>"}

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


# Every column the store encrypts; a new one must be added here or rotation leaves it behind.
ENCRYPTED_COLUMNS: tuple[Column, ...] = (
    Column("incidents", "summary"),
    Column("incident_persons", "name"),
    Column("answers", "body", json=True),
    Column("notes", "body"),
    Column("documents", "body"),
    Column("lessons", "went_well", key="incident_id"),
    Column("lessons", "can_be_better", key="incident_id"),
    Column("lessons", "policy_change", key="incident_id"),
    Column("policy_reviews", "change"),
)

Progress = Callable[[Column, int, int], None]  # column, rewritten so far, to do at the start


def _stored(column: Column) -> sql.Composable:
    """The token as text: the column itself, or the `enc` member of the jsonb object."""
    ident = sql.Identifier(column.column)
    if column.json:
        return sql.SQL("coalesce({} ->> 'enc', {}::text)").format(ident, ident)
    return ident


def _stale(column: Column) -> sql.Composable:
    """Rows not yet under the active key (`%(active)s`): other keys' tokens, old plaintext."""
    return sql.SQL("{} NOT LIKE %(active)s").format(_stored(column))


def _active_pattern(active: str) -> str:
    # `_` is a LIKE wildcard and may occur in a key id; `\` is LIKE's default escape.
    escaped = active.replace("_", r"\_")
    return f"{PREFIX}{escaped}:%"


async def count_stale(pool: Pool, column: Column, active: str) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute(
            sql.SQL("SELECT count(*) AS n FROM {} WHERE {}").format(
                sql.Identifier(column.table), _stale(column)
            ),
            {"active": _active_pattern(active)},
        )
        row = await cur.fetchone()
        await conn.rollback()
    return int(row["n"]) if row else 0


async def rotate_column(
    pool: Pool,
    column: Column,
    *,
    keys: Keyring,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> int:
    """Re-encrypt one column; returns how many values were rewritten."""
    total = await count_stale(pool, column, keys.active)
    if progress:
        progress(column, 0, total)
    select = sql.SQL(
        "SELECT {key} AS key, {col} AS value FROM {table}"
        " WHERE {stale} AND {key} > %(after)s ORDER BY {key} LIMIT %(limit)s FOR UPDATE"
    ).format(
        key=sql.Identifier(column.key),
        col=sql.Identifier(column.column),
        table=sql.Identifier(column.table),
        stale=_stale(column),
    )
    update = sql.SQL("UPDATE {table} SET {col} = %s WHERE {key} = %s").format(
        table=sql.Identifier(column.table),
        col=sql.Identifier(column.column),
        key=sql.Identifier(column.key),
    )
    done = 0
    after = ""  # every key is a non-empty text id, so "" sorts before all of them
    while True:
        async with pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                select,
                {"active": _active_pattern(keys.active), "after": after, "limit": batch_size},
            )
            rows = await cur.fetchall()
            if not rows:
                break
            where = {"table": column.table, "column": column.column}
            for row in rows:
                if column.json:
                    value = keys.decrypt_json(row["value"], **where)
                    new: object = Jsonb(keys.encrypt_json(value, **where))
                else:
                    new = keys.encrypt(keys.decrypt(str(row["value"]), **where), **where)
                await conn.execute(update, (new, row["key"]))
            after = str(rows[-1]["key"])
        done += len(rows)
        if progress:
            progress(column, done, max(total, done))
    return done


async def rotate_all(
    pool: Pool,
    *,
    keys: Keyring | None = None,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Every encrypted column; returns the values rewritten per column."""
    keys = keys or keyring()
    return {
        column.name: await rotate_column(
            pool, column, keys=keys, batch_size=batch_size, progress=progress
        )
        for column in ENCRYPTED_COLUMNS
    }


async def keys_in_use(pool: Pool) -> dict[str, int]:
    """How many values each key id encrypts ("plaintext" for values never encrypted)."""
    counts: dict[str, int] = {}
    async with pool.connection() as conn:
        for column in ENCRYPTED_COLUMNS:
            cur = await conn.execute(
                sql.SQL(
                    "SELECT CASE WHEN {v} LIKE %(prefix)s THEN split_part({v}, ':', 3)"
                    " ELSE 'plaintext' END AS key, count(*) AS n FROM {t} GROUP BY 1"
                ).format(v=_stored(column), t=sql.Identifier(column.table)),
                {"prefix": f"{PREFIX}%"},
            )
            for row in await cur.fetchall():
                counts[str(row["key"])] = counts.get(str(row["key"]), 0) + int(row["n"])
        await conn.rollback()
    return counts
