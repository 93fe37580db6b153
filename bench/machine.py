"""What the figures were measured on: they mean little without it."""

from __future__ import annotations

import asyncio
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.stack import BIN, Stack
from regie.settings import Settings


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_bytes() -> int | None:
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:
        return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


async def describe(stack: Stack) -> dict[str, Any]:
    async with stack.pool.connection() as conn:
        cur = await conn.execute("SELECT version() AS v")
        row = await cur.fetchone()
    version = await asyncio.create_subprocess_exec(
        str(BIN / "temporal"), "--version", stdout=asyncio.subprocess.PIPE
    )
    temporal = (await version.communicate())[0].decode().strip()
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": round((_memory_bytes() or 0) / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": str(row["v"]).split(" on ")[0] if row else None,
        "postgresql_source": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded",
        "temporal_cli": temporal,
        "temporalio": _version("temporalio"),
        "fastapi": _version("fastapi"),
        "uvicorn": _version("uvicorn"),
        "psycopg": _version("psycopg"),
        # Both workers, Regie's and the baseline's, run workflow code this way.
        "workflow_sandbox": Settings().worker_sandbox,
    }
