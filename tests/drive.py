"""Helpers that drive an incident through the service the way people would."""

import asyncio
from collections.abc import Callable
from typing import Any

from domain.steps import Step, TaskKind
from regie.service import IncidentService
from store import tasks
from workflows.contracts import IncidentSnapshot, TaskView


async def eventually(
    service: IncidentService,
    incident_id: str,
    predicate: Callable[[IncidentSnapshot], bool],
    *,
    timeout: float = 20.0,
) -> IncidentSnapshot:
    """Poll the workflow until the predicate holds; fail with the last snapshot if it never does."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        snap = await service.snapshot(incident_id)
        if predicate(snap):
            return snap
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition never held; last snapshot: {snap}")
        await asyncio.sleep(0.05)


def open_task(snap: IncidentSnapshot, kind: TaskKind | Step) -> TaskView | None:
    found = [t for t in snap.tasks if t.kind.value == kind.value and t.status == "open"]
    return found[-1] if found else None


async def wait_open(
    service: IncidentService, incident_id: str, kind: TaskKind | Step, timeout: float = 20.0
) -> TaskView:
    """Wait until the task is open in the workflow and in the read model, as a person sees it.

    The workflow marks a task open before the activity that records it and sends its e-mail
    has run; a person acts on the e-mail, so the tests wait for the row too.
    """
    snap = await eventually(
        service, incident_id, lambda s: open_task(s, kind) is not None, timeout=timeout
    )
    task = open_task(snap, kind)
    assert task is not None
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with service.pool.connection() as conn:
            row = await tasks.get_task(conn, task_id=task.task_id)
        if row is not None and row.status == "open":
            return task
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"task {task.task_id} never opened in PostgreSQL")
        await asyncio.sleep(0.05)


async def complete(
    service: IncidentService, incident_id: str, kind: TaskKind | Step, answer: dict[str, Any]
) -> TaskView:
    task = await wait_open(service, incident_id, kind)
    assert task.assignee_id is not None
    await service.complete_task(task_id=task.task_id, actor_id=task.assignee_id, answer=answer)
    return task
