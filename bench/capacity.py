"""Part 3: many open incidents waiting on people; memory, database size, and a cold restart.

Each incident is opened through the API and waits on its first two tasks (assess, support).
The worker's resident memory is read with all of them open, the worker is then stopped and a
fresh one started (nothing cached), and the assessment of every incident is answered through
the API: each must produce the next task e-mail.
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

from bench.client import Client
from bench.people import Board, Mailroom, TaskMail, answer_for, make_board, next_mail, open_incident
from bench.stack import Stack

MIB = 2**20


async def _db_size(stack: Stack) -> int:
    async with stack.pool.connection() as conn:
        cur = await conn.execute("SELECT pg_database_size(current_database()) AS n")
        row = await cur.fetchone()
    return int(row["n"]) if row else 0


async def _kind(http: Client, board: Board, mail: TaskMail) -> str:
    response = await http.get(
        f"/api/tasks/{mail.claims.task_id}", headers=board.auth(mail.claims.assignee_id)
    )
    response.raise_for_status()
    return str(response.json()["kind"])


async def measure(stack: Stack, *, open_incidents: int, in_flight: int) -> dict[str, Any]:
    board = await make_board(stack)
    mailroom = Mailroom()
    stack.mail.listeners.append(mailroom)
    gate = asyncio.Semaphore(in_flight)
    timeout = 120 + open_incidents * 0.05
    assess_mail: dict[str, TaskMail] = {}
    rss_idle = stack.worker.rss_bytes()
    db_before = await _db_size(stack)
    try:
        async with Client(stack.api_url, connections=in_flight * 2, timeout=timeout) as http:

            async def open_one() -> None:
                async with gate:
                    reference = str((await open_incident(http, board))["reference"])
                    for _ in range(2):  # assess and support, in either order
                        mail = await next_mail(mailroom, reference, timeout)
                        if await _kind(http, board, mail) == "assess":
                            assess_mail[reference] = mail

            started = time.perf_counter()
            await asyncio.gather(*(open_one() for _ in range(open_incidents)))
            opened_s = time.perf_counter() - started
            gc.collect()
            await asyncio.sleep(2)  # let the worker settle before its memory is read
            rss_open = stack.worker.rss_bytes()
            db_after = await _db_size(stack)

            await stack.restart_worker()
            progressed = 0
            failures: list[str] = []

            async def progress(reference: str, mail: TaskMail) -> None:
                nonlocal progressed
                async with gate:
                    staff = mail.claims.assignee_id
                    response = await http.post(
                        f"/api/tasks/{mail.claims.task_id}/complete",
                        json=answer_for("assess", board),
                        headers=board.auth(staff),
                    )
                    if response.status_code != 200:
                        failures.append(f"{reference}: {response.status_code}")
                        return
                    await next_mail(mailroom, reference, timeout)  # report, confront or media
                    progressed += 1

            started = time.perf_counter()
            results = await asyncio.gather(
                *(progress(ref, mail) for ref, mail in assess_mail.items()),
                return_exceptions=True,
            )
            failures += [repr(r) for r in results if isinstance(r, BaseException)]
            progressed_s = time.perf_counter() - started
            await asyncio.sleep(2)
            rss_after = stack.worker.rss_bytes()
    finally:
        stack.mail.listeners.remove(mailroom)
    return {
        "open_incidents": open_incidents,
        "opened_s": round(opened_s, 1),
        "worker_rss_mb": {
            "idle": round(rss_idle / MIB, 1),
            "all_open": round(rss_open / MIB, 1),
            "after_progress": round(rss_after / MIB, 1),
        },
        "database_mb": {
            "before": round(db_before / MIB, 1),
            "after_opening": round(db_after / MIB, 1),
            "per_incident_kb": round((db_after - db_before) / 1024 / max(open_incidents, 1), 1),
        },
        "progressed_after_restart": progressed,
        "progress_s": round(progressed_s, 1),
        "failures": failures[:10],
        "duplicate_task_mails": mailroom.duplicates(),
    }
