"""The FastAPI application: routers, error handling and request guards in one place."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors, metrics
from api.error_responses import COMMON, STATEFUL
from api.routes import (
    devmail,
    directory,
    health,
    incidents,
    oidc,
    policy_review,
    privacy,
    signin,
    tasks,
)
from api.runtime import Runtime, open_runtime
from api.security import SecurityHeaders
from api.web import install as web
from regie.settings import Settings
from regie.startup_gc import freeze_startup_objects

DESCRIPTION = (
    "Incident response for school boards. Regie never stores or accepts images: describe "
    "what was shared instead. Authenticate with `Authorization: Bearer <token>`."
)


def create_app(runtime: Runtime | None = None, *, settings: Settings | None = None) -> FastAPI:
    """The app over `runtime`, or over servers named in the environment when none is given.

    Tests and `regie dev` pass the runtime they own; `regie api` lets the app connect itself.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            yield
            return
        async with open_runtime(settings or Settings()) as opened:
            app.state.runtime = opened
            freeze_startup_objects()
            yield

    app = FastAPI(title="Regie", description=DESCRIPTION, version="0.1.0", lifespan=lifespan)
    if runtime is not None:
        app.state.runtime = runtime
    errors.install(app)
    # Outermost, so every answer gets the headers: errors, redirects and static files included.
    app.add_middleware(SecurityHeaders)
    # Outermost of all: counts and times every answer, headers included; serves /metrics.
    metrics.install(app)
    # The API before the pages, and the routers people use most first: routes are matched in
    # order, at about 10 us a router (the pages' paths and the API's do not overlap;
    # tests/api/test_routes.py).
    for router in (incidents.router, tasks.router, policy_review.router):
        app.include_router(router, responses=STATEFUL)
    for router in (
        health.router,
        directory.router,
        privacy.router,
        signin.router,
        oidc.router,
        devmail.router,
    ):
        app.include_router(router, responses=COMMON)
    web.install(app)
    return app
