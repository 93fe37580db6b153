"""Dependencies as Annotated aliases, so a route's signature reads like a sentence."""

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from api.runtime import Runtime
from regie.service import IncidentService
from store.db import reading

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


# Every dependency is `async def`: FastAPI runs a plain `def` one in a worker thread, a
# thread hop on every request for what is an attribute read.
async def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def reads_only(endpoint: Endpoint) -> Endpoint:
    """Mark a route whose `Db` only reads: the connection runs every statement as a
    transaction of its own, which saves a BEGIN and a COMMIT round trip on every request.

    Only for routes that write nothing on that connection (the incident service writes on
    connections of its own): a write there would commit by itself, and `store.audit.record`
    refuses to run at all (its lock needs a transaction). Reading the session of a cookie may
    still touch its last-seen time; that one statement needs nothing around it.
    """
    endpoint.__dict__["reads_only"] = True
    return endpoint


async def db(request: Request) -> AsyncIterator[AsyncConnection[DictRow]]:
    pool = (await runtime(request)).pool
    # The router puts the matched endpoint in the scope before it solves the dependencies.
    if getattr(request.scope.get("endpoint"), "reads_only", False):
        async with reading(pool) as conn:
            yield conn
    else:
        async with pool.connection() as conn:
            yield conn


async def service(request: Request) -> IncidentService:
    return (await runtime(request)).service


Rt = Annotated[Runtime, Depends(runtime)]
# scope="function": the transaction commits before the response leaves, so whatever the
# client does next (follow a redirect with its new session cookie) sees what this request wrote.
Db = Annotated[AsyncConnection[DictRow], Depends(db, scope="function")]
Service = Annotated[IncidentService, Depends(service)]
