"""Opening, closing, reassigning, reminding and escalating tasks: read model, audit, e-mail."""

from temporalio import activity

from activities import metrics
from activities.deps import Deps
from activities.notify import send_to_staff
from notifications.links import task_link
from notifications.messages import MessageKind
from store import audit, tasks
from workflows.contracts import (
    AlarmInput,
    CancelTasksInput,
    CloseTaskInput,
    OpenTaskInput,
    PlanTasksInput,
    ReassignTaskInput,
    ReopenTaskInput,
    SkipTaskInput,
)


class TaskActivities:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def _link(self, task_id: str, assignee_id: str, assignment: int) -> str:
        return task_link(
            self._deps.base_url,
            self._deps.secret_key,
            task_id=task_id,
            assignee_id=assignee_id,
            assignment=assignment,
        )

    @activity.defn
    async def plan_tasks(self, inp: PlanTasksInput) -> None:
        async with self._deps.pool.connection() as conn:
            await tasks.insert_waiting(
                conn,
                incident_id=inp.incident_id,
                planned=[(t.task_id, t.step.value, t.kind.value) for t in inp.tasks],
            )

    @activity.defn
    async def skip_task(self, inp: SkipTaskInput) -> None:
        """A step the rules leave out of this incident (no report without CSAM, say)."""
        task = inp.task
        async with self._deps.pool.connection() as conn:
            await tasks.mark_skipped(conn, task_id=task.task_id)
            await audit.record(
                conn,
                key=f"step_skipped:{task.task_id}",
                kind="step_skipped",
                at=inp.at,
                incident_id=task.incident_id,
                task_id=task.task_id,
                step=task.step.value,
            )

    @activity.defn
    async def open_task(self, inp: OpenTaskInput) -> None:
        task = inp.task
        async with self._deps.pool.connection() as conn:
            await tasks.insert_open(
                conn,
                task_id=task.task_id,
                incident_id=task.incident_id,
                step=task.step.value,
                kind=task.kind.value,
                assignee_id=inp.assignee_id,
                urgent=inp.urgent,
                opened_at=inp.opened_at,
                due_at=inp.due_at,
            )
            await audit.record(
                conn,
                key=f"task_opened:{task.task_id}",
                kind="task_opened",
                at=inp.opened_at,
                incident_id=task.incident_id,
                task_id=task.task_id,
                step=task.step.value,
                detail={
                    "kind": task.kind.value,
                    "assignee": inp.assignee_id,
                    "due_at": inp.due_at.isoformat(),
                    "urgent": inp.urgent,
                },
            )
        await send_to_staff(
            self._deps,
            key=f"task_assigned:{task.task_id}:1",
            kind=MessageKind.task_assigned,
            staff_id=inp.assignee_id,
            incident_id=task.incident_id,
            task_id=task.task_id,
            task_kind=task.kind,
            deadline=inp.due_at,
            link=self._link(task.task_id, inp.assignee_id, 1),
        )
        metrics.record(
            metrics.TASKS_OPENED,
            task_id=task.task_id,
            step=task.step.value,
            urgent=str(inp.urgent).lower(),
        )

    @activity.defn
    async def close_task(self, inp: CloseTaskInput) -> None:
        task = inp.task
        async with self._deps.pool.connection() as conn:
            await tasks.close(
                conn, task_id=task.task_id, status=inp.status, at=inp.at, answer_id=inp.answer_id
            )
            await audit.record(
                conn,
                key=f"task_closed:{task.task_id}:{inp.answer_id or inp.reason_id}",
                kind="task_done" if inp.status == "done" else "task_not_applicable",
                at=inp.at,
                incident_id=task.incident_id,
                task_id=task.task_id,
                step=task.step.value,
                actor_id=inp.actor_id,
                detail={"answer": inp.answer_id or "", "reason": inp.reason_id or ""},
            )
        metrics.record(
            metrics.TASKS_CLOSED, task_id=task.task_id, step=task.step.value, outcome=inp.status
        )

    @activity.defn
    async def reopen_task(self, inp: ReopenTaskInput) -> None:
        """A letter or statement was refused: the task is open again for its assignee."""
        task = inp.task
        async with self._deps.pool.connection() as conn:
            await tasks.reopen(conn, task_id=task.task_id)
            await audit.record(
                conn,
                key=f"document_refused:{task.task_id}:{inp.refusal}",
                kind="document_refused",
                at=inp.at,
                incident_id=task.incident_id,
                task_id=task.task_id,
                step=task.step.value,
                detail={"persons_named": inp.labels},
            )
        await send_to_staff(
            self._deps,
            key=f"letter_refused:{task.task_id}:{inp.refusal}",
            kind=MessageKind.letter_refused,
            staff_id=inp.assignee_id,
            incident_id=task.incident_id,
            task_id=task.task_id,
            task_kind=task.kind,
            deadline=inp.due_at,
            link=self._deps.incident_url(task.incident_id),
        )

    @activity.defn
    async def reassign_task(self, inp: ReassignTaskInput) -> None:
        task = inp.task
        async with self._deps.pool.connection() as conn:
            await tasks.reassign(
                conn, task_id=task.task_id, assignee_id=inp.to_id, assignment=inp.assignment
            )
            await audit.record(
                conn,
                key=f"task_reassigned:{task.task_id}:{inp.assignment}",
                kind="task_reassigned",
                at=inp.at,
                incident_id=task.incident_id,
                task_id=task.task_id,
                step=task.step.value,
                actor_id=inp.actor_id,
                detail={"from": inp.from_id, "to": inp.to_id},
            )
        await send_to_staff(
            self._deps,
            key=f"task_reassigned_away:{task.task_id}:{inp.assignment}",
            kind=MessageKind.task_reassigned_away,
            staff_id=inp.from_id,
            incident_id=task.incident_id,
            task_id=task.task_id,
            task_kind=task.kind,
        )
        await send_to_staff(
            self._deps,
            key=f"task_assigned:{task.task_id}:{inp.assignment}",
            kind=MessageKind.task_assigned,
            staff_id=inp.to_id,
            incident_id=task.incident_id,
            task_id=task.task_id,
            task_kind=task.kind,
            deadline=inp.due_at,
            link=self._link(task.task_id, inp.to_id, inp.assignment),
        )
        metrics.record(metrics.TASKS_REASSIGNED, task_id=task.task_id, step=task.step.value)

    @activity.defn
    async def remind_task(self, inp: AlarmInput) -> None:
        async with self._deps.pool.connection() as conn:
            await tasks.mark_reminded(conn, task_id=inp.task.task_id, at=inp.at)
        await self._alarm(
            inp,
            event="task_reminded",
            detail={"to": inp.recipient_id},
            message=MessageKind.task_reminder,
            link=self._link(inp.task.task_id, inp.assignee_id, inp.assignment),
        )
        metrics.record(metrics.TASKS_REMINDED, task_id=inp.task.task_id, step=inp.task.step.value)

    @activity.defn
    async def escalate_task(self, inp: AlarmInput) -> None:
        async with self._deps.pool.connection() as conn:
            await tasks.raise_escalation(conn, task_id=inp.task.task_id, level=inp.level)
        # The escalation's reader is not the assignee: they get the incident, not the task link.
        await self._alarm(
            inp,
            event="task_escalated",
            detail={"level": inp.level, "to": inp.recipient_id},
            message=MessageKind.task_escalated,
            link=self._deps.incident_url(inp.task.incident_id),
        )
        metrics.record(
            metrics.TASKS_ESCALATED,
            task_id=inp.task.task_id,
            step=inp.task.step.value,
            escalation_level=str(inp.level),
        )

    async def _alarm(
        self,
        inp: AlarmInput,
        *,
        event: str,
        detail: dict[str, str | int],
        message: MessageKind,
        link: str,
    ) -> None:
        task = inp.task
        async with self._deps.pool.connection() as conn:
            await audit.record(
                conn,
                key=f"{event}:{task.task_id}:{inp.level}",
                kind=event,
                at=inp.at,
                incident_id=task.incident_id,
                task_id=task.task_id,
                step=task.step.value,
                detail=dict(detail),
            )
        await send_to_staff(
            self._deps,
            key=f"{message.value}:{task.task_id}:{inp.level}",
            kind=message,
            staff_id=inp.recipient_id,
            incident_id=task.incident_id,
            task_id=task.task_id,
            task_kind=task.kind,
            deadline=inp.due_at,
            link=link,
            escalation_level=inp.level,
        )

    @activity.defn
    async def cancel_tasks(self, inp: CancelTasksInput) -> None:
        async with self._deps.pool.connection() as conn:
            for task, _assignee in inp.tasks:
                await tasks.close(
                    conn, task_id=task.task_id, status="cancelled", at=inp.at, answer_id=None
                )
                await audit.record(
                    conn,
                    key=f"task_cancelled:{task.task_id}",
                    kind="task_cancelled",
                    at=inp.at,
                    incident_id=task.incident_id,
                    task_id=task.task_id,
                    step=task.step.value,
                    actor_id=inp.actor_id,
                    detail={"reason": inp.reason_id},
                )
            for task in inp.waiting:
                await tasks.close(
                    conn, task_id=task.task_id, status="cancelled", at=inp.at, answer_id=None
                )
        for task, assignee in inp.tasks:
            await send_to_staff(
                self._deps,
                key=f"task_cancelled:{task.task_id}",
                kind=MessageKind.task_cancelled,
                staff_id=assignee,
                incident_id=task.incident_id,
                task_id=task.task_id,
                task_kind=task.kind,
                reason_code="false_alarm",
            )
        for task, _assignee in inp.tasks:
            metrics.record(metrics.TASKS_CANCELLED, task_id=task.task_id, step=task.step.value)
