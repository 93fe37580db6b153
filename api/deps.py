"""Dependencies as Annotated aliases, so a route's signature reads like a sentence."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from api.runtime import Runtime
from regie.service import IncidentService


# Every dependency is `async def`: FastAPI runs a plain `def` one in a worker thread, a
# thread hop on every request for what is an attribute read.
async def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def db(request: Request) -> AsyncIterator[AsyncConnection[DictRow]]:
    async with (await runtime(request)).pool.connection() as conn:
        yield conn


async def service(request: Request) -> IncidentService:
    return (await runtime(request)).service


Rt = Annotated[Runtime, Depends(runtime)]
# scope="function": the transaction commits before the response leaves, so whatever the
# client does next (follow a redirect with its new session cookie) sees what this request wrote.
Db = Annotated[AsyncConnection[DictRow], Depends(db, scope="function")]
Service = Annotated[IncidentService, Depends(service)]
