"""The four fault scenarios: a burst of incidents, one fault in the middle, and a count at the end.

Every scenario brings up its own servers (see servers.py), starts `incidents` incidents, lets
the driver complete every task as its e-mail arrives, and injects its fault once a third of
the tasks are done. The count compares what must have happened with what the SMTP server,
PostgreSQL and the mail log saw.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.faults.drive import (
    TASKS_PER_INCIDENT,
    Progress,
    drive_until_closed,
    start_incidents,
    task_of,
)
from bench.faults.servers import OwnMail, OwnPostgres, OwnTemporal, WorkerProcess
from regie.service import IncidentService
from regie.settings import Settings
from regie.temporal import connect
from store import crypto
from store.db import Pool, open_pool
from tests.fixtures.world import make_world

log = logging.getLogger(__name__)

SECRET = "bench-faults-secret-0123456789"
BASE_URL = "http://regie.bench"
KEY_ID = "bench1"


@dataclass
class Servers:
    postgres: OwnPostgres
    temporal: OwnTemporal
    mail: OwnMail
    worker: WorkerProcess


@dataclass
class Counts:
    scenario: str
    incidents_expected: int
    incidents_closed: int = 0
    tasks_expected: int = 0
    tasks_done: int = 0
    emails_expected: int = 0
    task_emails: int = 0  # task e-mails the SMTP server received, duplicates included
    duplicate_emails: int = 0  # task e-mails beyond the first for the same task
    tasks_without_email: int = 0  # tasks opened in PostgreSQL whose e-mail never arrived
    mail_log_sent: int = 0  # task e-mails the mail log says it sent
    orphan_answers: int = 0  # answers still 'pending' (saved, never accepted by the workflow)
    fault_at_task: int = 0  # completed tasks when the fault was injected
    outage_seconds: float = 0.0
    seconds: float = 0.0
    retries: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.incidents_closed == self.incidents_expected
            and self.tasks_done == self.tasks_expected
            and self.task_emails == self.emails_expected
            and self.duplicate_emails == 0
            and self.tasks_without_email == 0
            and not self.failures
        )

    def line(self) -> str:
        return (
            f"{self.scenario:<18} incidents {self.incidents_closed}/{self.incidents_expected}"
            f"  tasks {self.tasks_done}/{self.tasks_expected}"
            f"  e-mails {self.task_emails}/{self.emails_expected}"
            f" (dup {self.duplicate_emails}, missing {self.tasks_without_email})"
            f"  orphan answers {self.orphan_answers}"
            f"  outage {self.outage_seconds:.1f}s  total {self.seconds:.1f}s"
            f"  {'OK' if self.ok else 'FAILED'}"
        )


async def kill_worker(servers: Servers, outage: float) -> None:
    await asyncio.to_thread(servers.worker.kill)
    await asyncio.sleep(outage)
    await asyncio.to_thread(servers.worker.start)


async def restart_postgres(servers: Servers, outage: float) -> None:
    await asyncio.to_thread(servers.postgres.stop)
    await asyncio.sleep(outage)
    await asyncio.to_thread(servers.postgres.start)


async def smtp_down(servers: Servers, outage: float) -> None:
    await asyncio.to_thread(servers.mail.stop)
    await asyncio.sleep(outage)
    await asyncio.to_thread(servers.mail.start)


async def restart_temporal(servers: Servers, outage: float) -> None:
    await asyncio.to_thread(servers.temporal.stop)
    await asyncio.sleep(outage)
    await asyncio.to_thread(servers.temporal.start)


FAULTS: dict[str, Callable[[Servers, float], Awaitable[None]]] = {
    "worker_sigkill": kill_worker,
    "postgres_restart": restart_postgres,
    "smtp_down": smtp_down,
    "temporal_restart": restart_temporal,
}


@dataclass
class Stack:
    """Servers of our own plus a service in this process that talks to them."""

    servers: Servers
    service: IncidentService


@asynccontextmanager
async def own_stack(root: Path | None = None) -> AsyncIterator[Stack]:
    """Bring up PostgreSQL, Temporal, SMTP and a worker process in a temporary directory.

    Scenarios run one after another on one stack: each restarts what it breaks.
    """
    # The worker process and this one must share the key; the caller's keyring comes back after.
    key = crypto.new_key()
    previous: crypto.Keyring | None = None
    with contextlib.suppress(crypto.KeyConfigError):
        previous = crypto.keyring()
    crypto.configure(crypto.parse_keys(f"{KEY_ID}:{key}"))
    try:
        with tempfile.TemporaryDirectory(prefix="regie-faults-", dir=root) as tmp:
            async with _servers(Path(tmp), key) as stack:
                yield stack
    finally:
        crypto.configure(previous)


@asynccontextmanager
async def _servers(root: Path, key: str) -> AsyncIterator[Stack]:
    postgres = await asyncio.to_thread(OwnPostgres, root)
    temporal = OwnTemporal(root)
    mail: OwnMail | None = None
    worker: WorkerProcess | None = None
    pool: Pool | None = None
    try:
        await asyncio.to_thread(temporal.start)
        mail = OwnMail(root)
        queue = f"regie-faults-{uuid.uuid4().hex[:6]}"
        worker = WorkerProcess(
            root,
            {
                "DATABASE_URL": postgres.url,
                "TEMPORAL_ADDRESS": temporal.address,
                "SMTP_URL": mail.url,
                "TASK_QUEUE": queue,
                "REGIE_KEYS": f"{KEY_ID}:{key}",
                "BASE_URL": BASE_URL,
                "SECRET_KEY": SECRET,
            },
        )
        await asyncio.to_thread(worker.start)
        pool = await open_pool(postgres.url, max_size=10)
        client = await connect(Settings(temporal_address=temporal.address))
        service = IncidentService(pool=pool, temporal=client, task_queue=queue)
        yield Stack(Servers(postgres, temporal, mail, worker), service)
    finally:
        if worker is not None:
            await asyncio.to_thread(worker.stop)
        await asyncio.to_thread(temporal.stop)
        if mail is not None:
            mail.stop()
        if pool is not None:
            await pool.close()
        await asyncio.to_thread(postgres.close)


async def run_scenario(
    stack: Stack, scenario: str, *, incidents: int, outage: float, timeout: float
) -> Counts:
    """One burst with one fault on `stack`, on a board of its own and an empty mailbox."""
    stack.servers.mail.catcher.clear()
    world = await make_world(stack.service.pool, schools=1)
    return await _burst(
        scenario,
        FAULTS[scenario],
        stack.servers,
        stack.service,
        world.school.id,
        incidents,
        outage,
        timeout,
    )


async def _burst(
    scenario: str,
    fault: Callable[[Servers, float], Awaitable[None]],
    servers: Servers,
    service: IncidentService,
    school_id: str,
    incidents: int,
    outage: float,
    timeout: float,
) -> Counts:
    loop = asyncio.get_running_loop()
    began = time.monotonic()
    until = loop.time() + timeout
    progress = Progress()
    counts = Counts(scenario=scenario, incidents_expected=incidents, outage_seconds=outage)
    incident_ids = await start_incidents(service, school_id, incidents, progress, until)
    total_tasks = TASKS_PER_INCIDENT * incidents

    async def inject() -> None:
        while len(progress.completed) < total_tasks // 3:  # noqa: ASYNC110 (a count, not an event)
            await asyncio.sleep(0.05)
        counts.fault_at_task = len(progress.completed)
        await fault(servers, outage)

    injector = asyncio.create_task(inject())
    await drive_until_closed(service, servers.mail.catcher, SECRET, incident_ids, progress, until)
    if not injector.done():
        # Everything finished before a third of the tasks did: impossible unless broken.
        injector.cancel()
        counts.failures.append("the fault was never injected")
    else:
        await injector
    counts.seconds = time.monotonic() - began
    await _count(counts, service, servers, incident_ids, progress)
    return counts


async def _count(
    counts: Counts,
    service: IncidentService,
    servers: Servers,
    incident_ids: list[str],
    progress: Progress,
) -> None:
    counts.tasks_expected = counts.emails_expected = TASKS_PER_INCIDENT * counts.incidents_expected
    per_task = Counter(
        found[0]
        for m in servers.mail.catcher.messages()
        if (found := task_of(m, SECRET)) is not None
    )
    async with service.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'closed') AS closed FROM incidents"
            " WHERE id = ANY(%s)",
            (incident_ids,),
        )
        row = await cur.fetchone()
        counts.incidents_closed = int(row["closed"]) if row else 0
        cur = await conn.execute(
            "SELECT id, status FROM tasks WHERE incident_id = ANY(%s)", (incident_ids,)
        )
        task_rows = await cur.fetchall()
        cur = await conn.execute(
            "SELECT count(*) AS n FROM mail_log WHERE incident_id = ANY(%s)"
            " AND kind = 'task_assigned' AND status = 'sent'",
            (incident_ids,),
        )
        row = await cur.fetchone()
        counts.mail_log_sent = int(row["n"]) if row else 0
        cur = await conn.execute(
            "SELECT count(*) AS n FROM answers WHERE incident_id = ANY(%s) AND status = 'pending'",
            (incident_ids,),
        )
        row = await cur.fetchone()
        counts.orphan_answers = int(row["n"]) if row else 0
    counts.tasks_done = sum(1 for r in task_rows if r["status"] == "done")
    opened = [str(r["id"]) for r in task_rows if r["status"] in ("open", "done")]
    counts.tasks_without_email = sum(1 for t in opened if per_task[t] == 0)
    counts.task_emails = sum(per_task.values())
    counts.duplicate_emails = sum(n - 1 for n in per_task.values() if n > 1)
    counts.retries = dict(progress.retries)
    counts.failures.extend(progress.failures)
