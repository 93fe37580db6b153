"""PolicyReviewWorkflow: one school's yearly review of its policy, started by its Schedule.

It gathers the year's counts and lessons (in PostgreSQL, through an activity), opens the
review's three tasks for the school leader with the guidance's prevention checklist, keeps
their reminders and escalations like incident tasks, records the outcome and closes. It
carries ids, enums, booleans and counts only.
"""

import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from activities.policy_review import PolicyReviewActivities
    from domain.deadlines import Alarm, AlarmKind, parse_duration, pending_alarms
    from domain.policy import ReviewOutcome, ReviewTaskKind
    from workflows.activity_calls import run_activity
    from workflows.contracts import (
        CompleteTask,
        Reassign,
        ReviewAlarm,
        ReviewContext,
        ReviewFinish,
        ReviewInput,
        ReviewReassign,
        ReviewResult,
        ReviewSnapshot,
        ReviewStart,
        ReviewTaskClose,
        ReviewTaskInput,
        ReviewTaskView,
        UpdateResult,
    )
    from workflows.refusals import Refusal, refuse


@dataclass
class ReviewTask:
    task_id: str
    kind: ReviewTaskKind
    status: str = "waiting"
    assignee_id: str | None = None
    opened_at: datetime | None = None
    due_at: datetime | None = None
    escalation_level: int = 0
    assignment: int = 1
    answer_id: str | None = None
    fired: set[str] = field(default_factory=set)
    policy_changed: bool = False

    def view(self) -> ReviewTaskView:
        return ReviewTaskView(
            task_id=self.task_id,
            kind=self.kind.value,
            status=self.status,
            assignee_id=self.assignee_id,
            opened_at=self.opened_at,
            due_at=self.due_at,
            escalation_level=self.escalation_level,
            assignment=self.assignment,
        )


@workflow.defn
class PolicyReviewWorkflow:
    @workflow.init
    def __init__(self, inp: ReviewInput) -> None:
        self._inp = inp
        self._status = "open"
        self._context: ReviewContext | None = None
        self._tasks = {
            t.task_id: t
            for t in (ReviewTask(str(workflow.uuid4()), kind) for kind in ReviewTaskKind)
        }
        self._pending: list[tuple[str, Any]] = []

    @workflow.run
    async def run(self, inp: ReviewInput) -> ReviewResult:
        review_id = workflow.info().workflow_id
        self._context = await run_activity(
            PolicyReviewActivities.start_review,
            ReviewStart(
                review_id=review_id, school_id=inp.school_id, board_id=inp.board_id,
                at=workflow.now(),
            ),
        )  # fmt: skip
        for task in self._tasks.values():
            await self._open(task)
        while not all(t.status == "done" for t in self._tasks.values()) or self._pending:
            if self._pending:
                await self._handle(*self._pending.pop(0))
                continue
            await self._wait()
            await self._fire_alarms()
        policy = next(t for t in self._tasks.values() if t.kind is ReviewTaskKind.review_policy)
        assert policy.answer_id is not None
        await run_activity(
            PolicyReviewActivities.finish_review,
            ReviewFinish(review_id=review_id, policy_answer_id=policy.answer_id, at=workflow.now()),
        )
        self._status = "closed"
        await workflow.wait_condition(workflow.all_handlers_finished)
        return ReviewResult(
            review_id=review_id, status=self._status, policy_changed=policy.policy_changed
        )

    # --- answers ---------------------------------------------------------------------------

    @workflow.update
    def complete_task(self, cmd: CompleteTask) -> UpdateResult:
        task = self._tasks[cmd.task_id]
        outcome = ReviewOutcome.model_validate(cmd.outcome)
        task.status = "done"
        task.answer_id = cmd.answer_id
        task.policy_changed = outcome.policy_changed
        self._pending.append(("closed", (task, cmd.actor_id)))
        return UpdateResult(task_id=task.task_id, status=task.status)

    @complete_task.validator
    def _validate_complete(self, cmd: CompleteTask) -> None:
        task = self._open_task(cmd.task_id)
        if cmd.actor_id != task.assignee_id:
            raise refuse(Refusal.not_assignee, "this review task is assigned to someone else")
        try:
            ReviewOutcome.model_validate(cmd.outcome)
        except ValidationError as exc:
            raise refuse(Refusal.invalid_answer, str(exc.errors()[0]["msg"])) from None

    @workflow.update
    def not_applicable(self, cmd: Any) -> UpdateResult:
        raise ApplicationError("unreachable: refused by the validator")

    @not_applicable.validator
    def _validate_not_applicable(self, cmd: Any) -> None:
        raise refuse(
            Refusal.not_applicable_refused,
            "every part of the yearly review applies; record what is in place instead",
        )

    @workflow.update
    def reassign(self, cmd: Reassign) -> UpdateResult:
        task = self._tasks[cmd.task_id]
        previous = task.assignee_id or ""
        task.assignee_id = cmd.assignee_id
        task.assignment += 1
        self._pending.append(("reassigned", (task, cmd.actor_id, previous)))
        return UpdateResult(task_id=task.task_id, status=task.status)

    @reassign.validator
    def _validate_reassign(self, cmd: Reassign) -> None:
        task = self._open_task(cmd.task_id)
        if cmd.assignee_id == task.assignee_id:
            raise refuse(Refusal.invalid_answer, "the task is already assigned to this person")

    @workflow.query
    def snapshot(self) -> ReviewSnapshot:
        return ReviewSnapshot(
            review_id=workflow.info().workflow_id,
            school_id=self._inp.school_id,
            status=self._status,
            tasks=[t.view() for t in self._tasks.values()],
            incidents=self._context.incidents if self._context else 0,
            lessons=self._context.lessons if self._context else 0,
        )

    def _open_task(self, task_id: str) -> ReviewTask:
        task = self._tasks.get(task_id)
        if task is None:
            raise refuse(Refusal.unknown_task, f"this review has no task {task_id}")
        if task.status == "waiting":
            raise refuse(Refusal.not_open_yet, "this review task is not open yet")
        if task.status != "open":
            raise refuse(Refusal.closed, f"this review task is {task.status} already")
        return task

    # --- side effects ----------------------------------------------------------------------

    async def _open(self, task: ReviewTask) -> None:
        assert self._context is not None
        now = workflow.now()
        task.status = "open"
        task.assignee_id = self._context.assignee_id
        task.opened_at = now
        task.due_at = now + parse_duration(self._context.deadline)
        await run_activity(
            PolicyReviewActivities.open_review_task,
            ReviewTaskInput(
                review_id=workflow.info().workflow_id,
                school_id=self._inp.school_id,
                task_id=task.task_id,
                kind=task.kind.value,
                assignee_id=task.assignee_id,
                opened_at=now,
                due_at=task.due_at,
            ),
        )

    async def _handle(self, what: str, args: Any) -> None:
        review_id = workflow.info().workflow_id
        if what == "closed":
            task, actor = args
            await run_activity(
                PolicyReviewActivities.close_review_task,
                ReviewTaskClose(
                    review_id=review_id, task_id=task.task_id, kind=task.kind.value,
                    actor_id=actor, answer_id=task.answer_id, at=workflow.now(),
                ),
            )  # fmt: skip
        else:
            task, actor, previous = args
            assert task.due_at is not None
            await run_activity(
                PolicyReviewActivities.reassign_review_task,
                ReviewReassign(
                    review_id=review_id, school_id=self._inp.school_id, task_id=task.task_id,
                    kind=task.kind.value, actor_id=actor, from_id=previous,
                    to_id=task.assignee_id or "", assignment=task.assignment,
                    due_at=task.due_at, at=workflow.now(),
                ),
            )  # fmt: skip

    def _alarms(self, task: ReviewTask) -> list[Alarm]:
        assert self._context is not None
        return pending_alarms(
            is_open=task.status == "open",
            opened_at=task.opened_at,
            due_at=task.due_at,
            fired=task.fired,
            grace=parse_duration(self._context.grace),
            assignee_id=task.assignee_id,
            school_leader_id=self._context.school_leader_id,
            board_adviser_id=self._context.board_adviser_id,
        )

    async def _wait(self) -> None:
        times = [a.at for t in self._tasks.values() for a in self._alarms(t)]
        timeout = (min(times) - workflow.now()) if times else None
        if timeout is not None and timeout <= timedelta(0):
            return
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(lambda: bool(self._pending), timeout=timeout)

    async def _fire_alarms(self) -> None:
        now = workflow.now()
        for task in self._tasks.values():
            for alarm in self._alarms(task):
                if alarm.at > now:
                    continue
                task.fired.add(alarm.key)
                if alarm.kind is AlarmKind.escalation:
                    task.escalation_level = max(task.escalation_level, alarm.level)
                assert task.assignee_id is not None and task.due_at is not None
                await run_activity(
                    PolicyReviewActivities.review_alarm,
                    ReviewAlarm(
                        review_id=workflow.info().workflow_id, school_id=self._inp.school_id,
                        task_id=task.task_id, kind=task.kind.value, alarm_key=alarm.key,
                        level=alarm.level, recipient_id=alarm.recipient_id,
                        assignee_id=task.assignee_id, assignment=task.assignment,
                        due_at=task.due_at, at=now,
                    ),
                )  # fmt: skip
