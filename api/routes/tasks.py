"""Tasks: mine, one task with its form and guidance, and the answers people give."""

import functools
from typing import Any

from fastapi import APIRouter, Body, HTTPException

from api.access import forbidden, may_reassign, readable_task, readable_task_and_incident
from api.auth import CurrentUser
from api.deps import Db, Service, reads_only
from api.principal import Principal
from api.schemas import NewAssignee, Reason, TaskBrief, TaskOut, TaskResult
from domain.forms.base import Answer
from domain.forms.registry import answer_model
from domain.guidance import guidance
from domain.policy import REVIEW_FORMS, ReviewTaskKind, review_guidance
from domain.steps import TaskKind
from regie.service import IncidentService
from store import tasks
from store.directory import Conn
from store.tasks import TaskRow

router = APIRouter(tags=["tasks"])


@router.get("/api/me/tasks")
@reads_only
async def my_tasks(who: CurrentUser, conn: Db) -> list[TaskBrief]:
    """The caller's open tasks, most urgent first."""
    rows = await tasks.open_tasks_of(conn, assignee_id=who.staff_id)
    if who.task_scope is not None:
        rows = [r for r in rows if r.id == who.task_scope]
    return [
        TaskBrief(
            id=r.id, kind=TaskKind(r.kind), status=r.status, assignee_id=r.assignee_id,
            due_at=r.due_at,
        )
        for r in rows
    ]  # fmt: skip


@router.get("/api/tasks/{task_id}")
@reads_only
async def get_task(task_id: str, who: CurrentUser, conn: Db) -> TaskOut:
    task = await readable_task(conn, who, task_id)
    form, text = form_and_guidance(task.kind, who.language)
    return TaskOut(
        id=task.id,
        incident_id=task.incident_id,
        review_id=task.review_id,
        step=task.step,
        kind=task.kind,
        status=task.status,
        assignee_id=task.assignee_id,
        due_at=task.due_at,
        escalation_level=task.escalation_level,
        form_schema=form_schema(form),
        guidance=text,
    )


@functools.cache
def form_schema(form: type[Answer]) -> dict[str, Any]:
    """The JSON schema of a form. Building it walks the whole model, so it is built once."""
    return form.model_json_schema()


def form_and_guidance(kind: str, language: str) -> tuple[type[Answer], str]:
    """The form and the guidance of an incident task or a task of the yearly review."""
    if kind in ReviewTaskKind.__members__:
        review_kind = ReviewTaskKind(kind)
        return REVIEW_FORMS[review_kind], review_guidance(review_kind, language)
    return answer_model(TaskKind(kind)), guidance(TaskKind(kind), language)


# The answer is written by the service, in a transaction of its own; this route's `Db` only
# reads who is asking and the task, so it needs no BEGIN and COMMIT around that.
@router.post("/api/tasks/{task_id}/complete")
@reads_only
async def complete(
    task_id: str,
    who: CurrentUser,
    conn: Db,
    svc: Service,
    answer: dict[str, Any] = Body(  # noqa: B008 - FastAPI's way to take a free-form body
        description="The answers of the task's form; see form_schema of GET /api/tasks/{id}"
    ),
) -> TaskResult:
    task = await _own_task(conn, svc, who, task_id)
    result = await svc.complete_task(
        task_id=task_id, actor_id=who.staff_id, answer=answer, known=task
    )
    return TaskResult(task_id=result.task_id, status=result.status, opens=result.opens)


@router.post("/api/tasks/{task_id}/not-applicable")
@reads_only
async def not_applicable(
    task_id: str, body: Reason, who: CurrentUser, conn: Db, svc: Service
) -> TaskResult:
    task = await _own_task(conn, svc, who, task_id)
    result = await svc.not_applicable(
        task_id=task_id, actor_id=who.staff_id, reason=body.reason, known=task
    )
    return TaskResult(task_id=result.task_id, status=result.status, opens=result.opens)


@router.post("/api/tasks/{task_id}/reassign")
async def reassign(
    task_id: str, body: NewAssignee, who: CurrentUser, conn: Db, svc: Service
) -> TaskResult:
    task, incident = await readable_task_and_incident(conn, who, task_id)
    school_id = incident.school_id if incident else await svc.school_of(task)
    if not may_reassign(who, task, school_id):
        raise forbidden(
            "only the assignee, the school's coordinator or leader, or the board reassigns"
        )
    await conn.commit()
    result = await svc.reassign(
        task_id=task_id, actor_id=who.staff_id, assignee_id=body.assignee_id
    )
    return TaskResult(task_id=result.task_id, status=result.status)


async def _own_task(conn: Conn, svc: IncidentService, who: Principal, task_id: str) -> TaskRow:
    """A task that is open and the caller's, checked before the answer itself is looked at.

    The read model may be a step behind the workflow (a reassignment just accepted), so when
    it says no, the workflow has the last word. Its routes are `reads_only`, so no
    transaction stays open while Temporal is asked.
    """
    task = await readable_task(conn, who, task_id)
    if task.assignee_id == who.staff_id and task.status == "open":
        return task
    state = await svc.task_state(task)
    status = state[0] if state else task.status
    if status == "waiting":
        raise HTTPException(409, f"the '{task.step}' task is not open yet")
    if status != "open":
        raise HTTPException(409, f"the '{task.step}' task is {status.replace('_', ' ')} already")
    if state is None or state[1] != who.staff_id:
        raise forbidden("this task is assigned to someone else; ask them, or have it reassigned")
    return task
