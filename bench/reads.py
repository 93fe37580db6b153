"""Part 4: the incident list and the board overview of a board with many incidents.

The rows go straight into the real schema with generate_series (references from the store's
own sequence, summaries sealed like the store seals them, eight tasks per incident), then each
read is timed through the API and as the same store query on a psycopg connection of its own,
alternately, so both see the same server at the same moment. EXPLAIN runs on exactly the SQL
the store sends, caught by a connection that explains instead of executing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import psycopg
from psycopg.rows import dict_row

from bench.client import Client
from bench.people import Board, make_board
from bench.stack import Stack
from bench.stats import ratio, summary_ms
from domain.roles import Role
from store import crypto, incidents, overview
from store.directory import Conn

STEP_ROLES = {
    "assess": Role.coordinator,
    "support": Role.support,
    "report": Role.coordinator,
    "remove": Role.coordinator,
    "confront": Role.school_leader,
    "inform": Role.school_leader,
    "media": Role.school_leader,
    "evaluate": Role.school_leader,
}

INSERT_INCIDENTS = """
INSERT INTO incidents (id, reference, board_id, school_id, status, summary, created_by,
                       created_at, closed_at)
SELECT 'bench-' || g,
       'RG-' || to_char(t.at, 'YYYY') || '-' || lpad(t.n, greatest(5, length(t.n)), '0'),
       %(board)s,
       (%(schools)s::text[])[1 + g %% %(n_schools)s],
       t.status, %(summary)s, %(creator)s, t.at,
       CASE WHEN t.status = 'open' THEN NULL
            ELSE least(t.at + interval '12 days', now()) END
FROM generate_series(1, %(rows)s) AS g
CROSS JOIN LATERAL (
    SELECT now() - (g * %(spacing)s::interval) AS at,
           nextval('incident_reference_seq')::text AS n,
           CASE WHEN g %% 40 = 0 THEN 'open' WHEN g %% 97 = 0 THEN 'cancelled'
                ELSE 'closed' END AS status
) AS t
"""

INSERT_TASKS = """
INSERT INTO tasks (id, incident_id, step, kind, assignee_id, status, opened_at, due_at,
                   closed_at, escalation_level)
SELECT i.id || '-' || a.step, i.id, a.step, a.step, a.staff_id,
       CASE WHEN i.status = 'closed' THEN 'done'
            WHEN i.status = 'cancelled' THEN 'cancelled'
            WHEN a.step IN ('assess', 'support') THEN 'open'
            ELSE 'waiting' END,
       i.created_at,
       i.created_at + interval '2 days',
       CASE WHEN i.status = 'open' THEN NULL
            ELSE i.created_at + (1 + abs(hashtext(i.id || a.step)) %% 72) * interval '1 hour'
       END,
       CASE WHEN i.status = 'open' AND a.step = 'assess' AND hashtext(i.id) %% 3 = 0
            THEN 1 ELSE 0 END
FROM incidents i
JOIN bench_assignees a ON a.school_id = i.school_id
WHERE i.board_id = %(board)s
"""


async def fill(stack: Stack, board: Board, rows: int) -> float:
    world = board.world
    started = time.perf_counter()
    async with stack.pool.connection() as conn:
        await conn.execute(
            "CREATE TEMP TABLE bench_assignees (school_id text, step text, staff_id text)"
        )
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO bench_assignees VALUES (%s, %s, %s)",
                [
                    (school.id, step, school.staff[role])
                    for school in world.schools
                    for step, role in STEP_ROLES.items()
                ],
            )
        await conn.execute(
            INSERT_INCIDENTS,
            {
                "board": world.board_id,
                "schools": [s.id for s in world.schools],
                "n_schools": len(world.schools),
                "summary": crypto.seal(
                    "Beelden gedeeld in een appgroep", table="incidents", column="summary"
                ),
                "creator": world.schools[0].staff[Role.coordinator],
                "rows": rows,
                # Spread over two years, the newest a minute ago.
                "spacing": timedelta(days=730) / rows,
            },
        )
        await conn.execute(INSERT_TASKS, {"board": world.board_id})
        await conn.execute("DROP TABLE bench_assignees")
    async with await psycopg.AsyncConnection.connect(stack.database_url, autocommit=True) as c:
        await c.execute("ANALYZE incidents")
        await c.execute("ANALYZE tasks")
    return time.perf_counter() - started


class _Explaining:
    """Stands in for a connection: explains each statement and answers with no rows."""

    def __init__(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self._conn = conn
        self.plans: list[dict[str, Any]] = []

    async def execute(self, sql: str, params: Any = None) -> _Explaining:
        cur = await self._conn.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        row = await cur.fetchone()
        assert row is not None
        self.plans.append(row["QUERY PLAN"][0]["Plan"])
        return self

    async def fetchall(self) -> list[Any]:
        return []

    async def fetchone(self) -> None:
        return None


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += _nodes(child)
    return found


def plan_summary(plans: list[dict[str, Any]]) -> dict[str, Any]:
    nodes = [n for p in plans for n in _nodes(p)]
    indexes = sorted({str(n["Index Name"]) for n in nodes if "Index Name" in n})
    seq = sorted(
        {str(n["Relation Name"]) for n in nodes if n["Node Type"] == "Seq Scan"}
        & {"incidents", "tasks"}
    )
    return {"uses_index": bool(indexes), "indexes": indexes, "seq_scans_on_big_tables": seq}


Query = Callable[[Conn], Awaitable[Any]]
# The API's liveness probe: answers {"status": "ok"} through the app's whole middleware stack.
EMPTY_PATH = "/healthz"


async def _timed(
    http: Client,
    direct: psycopg.AsyncConnection[Any],
    path: str,
    headers: dict[str, str],
    query: Query,
    requests: int,
) -> dict[str, Any]:
    api_s: list[float] = []
    db_s: list[float] = []
    floor_s: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await http.get(path, headers=headers)
        api_s.append(time.perf_counter() - started)
        response.raise_for_status()
        started = time.perf_counter()
        await query(cast(Conn, direct))
        db_s.append(time.perf_counter() - started)
        # The same query plus a request to an endpoint that does nothing (no token, no
        # database): the least any HTTP answer carrying this query could take, sampled
        # alongside, so the ratio's lower bound on this machine shows next to it.
        started = time.perf_counter()
        (await http.get(EMPTY_PATH)).raise_for_status()
        floor_s.append(time.perf_counter() - started + db_s[-1])
    explaining = _Explaining(direct)
    await query(cast(Conn, explaining))
    api, db, floor = summary_ms(api_s), summary_ms(db_s), summary_ms(floor_s)
    return {
        "api": api,
        "psycopg": db,
        "p95_ratio": ratio(api["p95_ms"], db["p95_ms"]),
        "empty_request_plus_psycopg": floor,
        "floor_p95_ratio": ratio(floor["p95_ms"], db["p95_ms"]),
        "plan": plan_summary(explaining.plans),
    }


async def measure(stack: Stack, *, rows: int, requests: int) -> dict[str, Any]:
    board = await make_board(stack, schools=20)
    fill_s = await fill(stack, board, rows)
    world = board.world
    adviser = board.adviser
    school = world.schools[0]
    coordinator = school.staff[Role.coordinator]

    def listing(*, board_wide: bool, staff: str, schools: list[str], status: str | None) -> Query:
        async def run(conn: Conn) -> Any:
            return await incidents.list_visible(
                conn, board_id=world.board_id, board_wide=board_wide, full_school_ids=schools,
                staff_id=staff, school_id=None, status=status, after=None, limit=51,
            )  # fmt: skip

        return run

    async def board_overview(conn: Conn) -> None:
        # What GET /board reads, in the order it reads it.
        since = datetime.now(UTC) - timedelta(days=366)
        await overview.school_counts(conn, board_id=world.board_id)
        await overview.incidents_per_month(conn, board_id=world.board_id, since=since)
        await overview.deadlines_per_month(conn, board_id=world.board_id, since=since)
        await overview.board_name(conn, board_id=world.board_id)
        await overview.policy_review_rows(conn, board_id=world.board_id)

    results: dict[str, Any] = {
        "rows": rows,
        "schools": len(world.schools),
        "fill_s": round(fill_s, 1),
    }
    async with (
        Client(stack.api_url) as http,
        await psycopg.AsyncConnection.connect(
            stack.database_url, autocommit=True, row_factory=dict_row
        ) as direct,
    ):
        reads = {
            "list_board": (
                "/api/incidents?limit=50",
                adviser,
                listing(board_wide=True, staff=adviser, schools=[], status=None),
            ),
            "list_board_open": (
                "/api/incidents?limit=50&status=open",
                adviser,
                listing(board_wide=True, staff=adviser, schools=[], status="open"),
            ),
            "list_school": (
                "/api/incidents?limit=50",
                coordinator,
                listing(board_wide=False, staff=coordinator, schools=[school.id], status=None),
            ),
            "board_overview": ("/board", adviser, board_overview),
        }
        for name, (path, staff, query) in reads.items():
            await _timed(http, direct, path, board.auth(staff), query, 3)  # warm both
            results[name] = await _timed(http, direct, path, board.auth(staff), query, requests)
    return results
