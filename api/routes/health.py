"""Liveness and readiness."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """200 only when PostgreSQL and Temporal both answer."""
    runtime = request.app.state.runtime
    problems: dict[str, str] = {}
    try:
        async with asyncio.timeout(3):
            async with runtime.pool.connection() as conn:
                await conn.execute("SELECT 1")
    except Exception:
        problems["postgresql"] = "PostgreSQL does not answer; check DATABASE_URL"
    try:
        async with asyncio.timeout(3):
            await runtime.temporal.service_client.check_health()
    except Exception:
        problems["temporal"] = "Temporal does not answer; check TEMPORAL_ADDRESS"
    if problems:
        return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
    return JSONResponse({"status": "ready"})
