"""Routes marked `reads_only` read on their `Db` without BEGIN and COMMIT; every other route
keeps its transaction. The marked routes are named here, so marking one is a decision someone
reads."""

from types import SimpleNamespace

import httpx
from fastapi import APIRouter, FastAPI

from api.deps import Db, reads_only
from store.db import Pool
from tests.api.test_routes import _app, _flat

MARKED = {
    ("GET", "/api/me/tasks"),
    ("GET", "/api/tasks/{task_id}"),
    # The answer is written by the incident service on a connection of its own.
    ("POST", "/api/tasks/{task_id}/complete"),
    ("POST", "/api/tasks/{task_id}/not-applicable"),
    ("GET", "/api/incidents"),
    ("GET", "/api/schools"),
    ("GET", "/api/staff"),
    ("GET", "/api/boards/{board_id}/deadlines"),
    ("GET", "/api/boards/{board_id}/retention"),
}


def test_only_these_reads_are_marked() -> None:
    marked = {
        (method, str(getattr(route, "path", "")))
        for route in _flat(_app().router.routes)
        if getattr(getattr(route, "endpoint", None), "reads_only", False)
        for method in getattr(route, "methods", set()) - {"HEAD"}
    }
    assert marked == MARKED


async def test_a_marked_route_reads_outside_a_transaction_and_the_others_inside(
    pool: Pool,
) -> None:
    # Included from a router, as api/app.py includes every route.
    router = APIRouter()

    @router.get("/marked")
    @reads_only
    async def marked(conn: Db) -> str:
        await conn.execute("SELECT 1")
        return conn.info.transaction_status.name

    @router.get("/plain")
    async def plain(conn: Db) -> str:
        await conn.execute("SELECT 1")
        return conn.info.transaction_status.name

    app = FastAPI()
    app.include_router(router)
    app.state.runtime = SimpleNamespace(pool=pool)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://regie") as client:
        assert (await client.get("/marked")).json() == "IDLE"
        assert (await client.get("/plain")).json() == "INTRANS"
        assert (await client.get("/marked")).json() == "IDLE"
