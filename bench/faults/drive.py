"""People who act on their e-mail: every task link that arrives is opened and completed.

The driver learns about a task only from the e-mail that announces it, as a person would, so a
task whose e-mail never arrives is never completed and its incident never closes: a lost
e-mail shows up as a stuck incident, and a second e-mail for the same task as a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from notifications.catcher import CaughtMessage, MailCatcher
from notifications.links import InvalidTaskLink, read_task_token
from regie.service import IncidentService, Refused
from store import tasks
from tests import answers
from workflows.refusals import Refusal

log = logging.getLogger(__name__)

# assess (no possible CSAM, so no report), support, remove, confront, inform, evaluate.
TASKS_PER_INCIDENT = 6

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "assess": lambda: answers.assess(possible_csam=False),
    "support": answers.support,
    "remove": answers.remove,
    "confront": answers.confront,
    "inform": answers.inform,
    "evaluate": answers.evaluate,
}

RETRY_SECONDS = 0.3


def task_of(message: CaughtMessage, secret: str) -> tuple[str, str] | None:
    """(task id, assignee id) from the task link in a task e-mail, or None for other mail."""
    for link in message.links:
        if "/t/" in link:
            token = link.rsplit("/t/", 1)[1]
            with contextlib.suppress(InvalidTaskLink):
                claims = read_task_token(secret, token, max_age_seconds=24 * 3600)
                return claims.task_id, claims.assignee_id
    return None


@dataclass
class Progress:
    completed: set[str] = field(default_factory=set)
    retries: Counter[str] = field(default_factory=Counter)  # error type -> retried calls
    failures: list[str] = field(default_factory=list)  # completions that gave up

    def settle(self, job: asyncio.Task[None]) -> None:
        if not job.cancelled() and job.exception() is not None:
            self.failures.append(repr(job.exception()))


async def retrying(what: Callable[[], Any], progress: Progress, until: float) -> Any:
    """Call until it succeeds or the deadline passes; outages surface as any of several errors.

    A refusal is an answer, not an outage, and goes back to the caller.
    """
    loop = asyncio.get_running_loop()
    while True:
        try:
            return await what()
        except Refused:
            raise
        except Exception as error:
            if loop.time() > until:
                raise
            progress.retries[type(error).__name__] += 1
            await asyncio.sleep(RETRY_SECONDS)


async def start_incidents(
    service: IncidentService, school_id: str, count: int, progress: Progress, until: float
) -> list[str]:
    async def one() -> str:
        result: str = await retrying(
            lambda: service.start_incident(school_id=school_id, summary="bench", created_by=None),
            progress,
            until,
        )
        return result

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def complete_one(
    service: IncidentService, task_id: str, assignee_id: str, progress: Progress, until: float
) -> None:
    async def get_row() -> tasks.TaskRow | None:
        async with service.pool.connection() as conn:
            return await tasks.get_task(conn, task_id=task_id)

    row = await retrying(get_row, progress, until)
    if row is None:
        raise AssertionError(f"an e-mail names task {task_id}, which does not exist")
    answer = ANSWERS[row.kind]()
    loop = asyncio.get_running_loop()
    while True:
        try:
            await retrying(
                lambda: service.complete_task(task_id=task_id, actor_id=assignee_id, answer=answer),
                progress,
                until,
            )
            break
        except Refused as refused:
            # Closed: an earlier attempt went through though its reply was lost in the outage.
            if refused.code == Refusal.closed:
                break
            if loop.time() > until:
                raise
            progress.retries[f"Refused:{refused.code}"] += 1
            await asyncio.sleep(RETRY_SECONDS)
    progress.completed.add(task_id)


async def closed_count(service: IncidentService, incident_ids: list[str]) -> int:
    async with service.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) AS n FROM incidents WHERE id = ANY(%s) AND status = 'closed'",
            (incident_ids,),
        )
        row = await cur.fetchone()
    return int(row["n"]) if row else 0


async def drive_until_closed(
    service: IncidentService,
    mail: MailCatcher,
    secret: str,
    incident_ids: list[str],
    progress: Progress,
    until: float,
) -> bool:
    """Complete every task whose e-mail arrives; True when all incidents closed in time."""
    loop = asyncio.get_running_loop()
    started: set[str] = set()
    running: set[asyncio.Task[None]] = set()
    try:
        while loop.time() < until:
            for message in mail.messages():
                found = task_of(message, secret)
                if found and found[0] not in started:
                    started.add(found[0])
                    job = asyncio.create_task(complete_one(service, *found, progress, until))
                    running.add(job)
                    job.add_done_callback(running.discard)
                    job.add_done_callback(progress.settle)
            if len(progress.completed) >= TASKS_PER_INCIDENT * len(incident_ids):
                with contextlib.suppress(Exception):
                    if await closed_count(service, incident_ids) == len(incident_ids):
                        return True
            await asyncio.sleep(0.1)
        return False
    finally:
        for job in list(running):
            job.cancel()
        await asyncio.gather(*running, return_exceptions=True)
