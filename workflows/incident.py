"""IncidentWorkflow: one incident, the eight steps of the guidance as a dependency graph.

Assess and support open at once. Report follows assess when the rules ask for it; removal
never opens before the report is closed; confront follows assess; informing the parents waits
for assess and for support, because the victim has a say in who is told; media opens on a
media risk or the first media inquiry; evaluate opens when everything else is closed.

The workflow waits for people: task answers arrive as updates whose validators refuse a wrong
or late answer before it reaches the history. Meanwhile it keeps every open task's reminder and
escalation timers. It carries only ids, enums, booleans and counts (the claim check).
"""

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from activities.assess import AssessActivities
    from activities.evaluate import EvaluateActivities
    from activities.incident import IncidentActivities
    from activities.inform import InformActivities
    from activities.media import MediaActivities
    from activities.remove import RemoveActivities
    from activities.report import ReportActivities
    from activities.tasks import TaskActivities
    from domain import rules
    from domain.deadlines import Alarm, AlarmKind, pending_alarms
    from domain.forms.assess import AssessOutcome
    from domain.forms.base import Outcome
    from domain.forms.inform import InformOutcome
    from domain.forms.registry import outcome_model
    from domain.forms.remove import RemoveOutcome
    from domain.forms.report import ReportOutcome
    from domain.forms.support import SupportOutcome
    from domain.plan import CLOSED, Moves, StepStatus, incident_finished, next_moves
    from domain.roles import Role, pick_assignee
    from domain.steps import STEPS, TASK_KINDS, Step, TaskKind, main_kind
    from workflows.activity_calls import run_activity, run_local_activity
    from workflows.contracts import (
        AlarmInput,
        AuditInput,
        Cancel,
        CancelTasksInput,
        CloseTaskInput,
        CompleteTask,
        IncidentContext,
        IncidentInput,
        IncidentRef,
        IncidentResult,
        IncidentSnapshot,
        IncidentStatusInput,
        LinkedIncidentInput,
        MediaInquiry,
        NewInformation,
        NotApplicable,
        OpenTaskInput,
        PlanTasksInput,
        Reassign,
        ReassignTaskInput,
        ReferralAlertInput,
        RemovalInstructionsInput,
        ReopenTaskInput,
        ReportHandoffInput,
        SendDocumentsInput,
        SkipTaskInput,
        StoreLessonsInput,
        UpdateResult,
        incident_workflow_id,
    )
    from workflows.incident_state import (
        Closed,
        Effect,
        InformationArrived,
        InquiryArrived,
        Reassigned,
        TaskState,
    )
    from workflows.refusals import ActivityFailure, Refusal, refuse


# Changes to running incidents' logic, each behind `workflow.patched` so histories written
# before it replay as they ran (tests/workflows/test_replay.py; README "Changing the workflow").
# 2026-11: reload the role holders and deadlines before opening tasks, not only at the start.
FRESH_CONTEXT = "fresh-context-per-opening"
# 2026-11: the database-only bookkeeping (context, plan, close, skip, status, audit) runs as
# local activities, so an answer reaches the next person's e-mail in one workflow task and one
# activity instead of four round trips through the server (bench/: e-mail latency).
LOCAL_BOOKKEEPING = "local-bookkeeping"
# 2026-11: opening a task (its e-mail, the report hand-off, the removal instructions) runs in
# the background, so a later answer to another task is carried out meanwhile instead of
# waiting for every earlier opening to finish (bench/: an answer that came in while the
# assessment's three tasks opened waited 80 ms for them). Effects on one task still follow
# its opening.
BACKGROUND_OPENINGS = "background-openings"
# 2026-11: the three changes above, asked of the history once. Every patch id an incident
# meets costs the server a marker and a search-attribute upsert (bench/RESULTS.md: three of
# them added a sixth to a bare workflow's server CPU). An incident started on this code
# records this id alone and takes every change above; one started before it never has it and
# asks each patch as it did (`_has`).
CHANGES_2026_11 = "changes-2026-11"
_FOLDED_2026_11 = (FRESH_CONTEXT, LOCAL_BOOKKEEPING, BACKGROUND_OPENINGS)
# 2026-11: one timer stands for the incident's next alarm and keeps running while the next
# alarm is no earlier, instead of a timer started and cancelled on every wait (bench/: two
# of those cost a bare workflow nearly as much server CPU as three patch ids). It also rings
# while openings are under way; the old wait did not look at the alarms then.
STANDING_ALARM = "standing-alarm"
# 2026-11: everything above under one id again, as CHANGES_2026_11 did (`_has`).
CHANGES_2026_11_2 = "changes-2026-11-2"


@workflow.defn
class IncidentWorkflow:
    @workflow.init
    def __init__(self, inp: IncidentInput) -> None:
        self._inp = inp
        self._status = "open"
        self._context: IncidentContext | None = None
        self._steps: dict[Step, StepStatus] = {step: StepStatus.waiting for step in Step}
        # The first task of every step gets its id now, so an early answer to it can be told
        # "not open yet" rather than "unknown".
        self._tasks: dict[str, TaskState] = {}
        for step in Step:
            self._new_task(step, main_kind(step))
        self._assessment: AssessOutcome | None = None
        self._support: SupportOutcome | None = None
        self._media_inquiries = 0
        self._new_information = 0
        self._remove_rounds = 1
        self._cancel: Cancel | None = None
        self._effects: list[Effect] = []
        self._linked: list[str] = []
        # Openings running in the background, by task id (BACKGROUND_OPENINGS).
        self._openings: dict[str, asyncio.Task[None]] = {}
        # The timer for the next alarm (STANDING_ALARM), when it rings, and whether it rang.
        self._alarm_clock: asyncio.Task[None] | None = None
        self._alarm_at: datetime | None = None
        self._alarm_rang = False

    # --- the run ---------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: IncidentInput) -> IncidentResult:
        self._context = await self._load_context()
        await self._audit(
            "opened", "incident_opened", detail={"linked": inp.origin_incident_id is not None}
        )
        await self._bookkeep(
            TaskActivities.plan_tasks,
            PlanTasksInput(
                incident_id=inp.incident_id,
                tasks=[t.ref(inp.incident_id) for t in self._tasks.values()],
            ),
        )
        while True:
            self._reap_openings()
            # Effects first: an answer accepted just before a cancel is still recorded.
            if self._effects:
                await self._handle(self._effects.pop(0))
                continue
            if self._cancel is not None:
                await self._settle_openings()
                await self._cancel_incident(self._cancel)
                break
            moves = self._moves()
            if moves.open or moves.skip:
                await self._apply(moves)
                continue
            if incident_finished(self._steps, follow_up_open=self._follow_up_open()):
                await self._settle_openings()
                await self._set_status("closed")
                break
            await self._wait_for_people()
            await self._fire_due_alarms()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return IncidentResult(
            incident_id=inp.incident_id,
            status=self._status,
            tasks=sum(1 for t in self._tasks.values() if t.opened_at is not None),
        )

    def _has(self, change: str) -> bool:
        """Whether this incident runs `change`'s new logic.

        The first call decides for the folds (CHANGES_2026_11_2, then CHANGES_2026_11) and is
        the incident's first bookkeeping, in its first workflow task: a history from before a
        fold replays that call without its marker, so the answer stays no and the changes are
        asked as they were then.
        """
        if workflow.patched(CHANGES_2026_11_2):
            return True
        if change in _FOLDED_2026_11 and workflow.patched(CHANGES_2026_11):
            return True
        return workflow.patched(change)

    async def _bookkeep(self, activity: Any, arg: Any) -> Any:
        """Database-only bookkeeping: a local activity in incidents started after the patch."""
        if self._has(LOCAL_BOOKKEEPING):
            return await run_local_activity(activity, arg)
        return await run_activity(activity, arg)

    async def _load_context(self) -> IncidentContext:
        context: IncidentContext = await self._bookkeep(
            IncidentActivities.load_context,
            IncidentRef(
                incident_id=self._inp.incident_id,
                board_id=self._inp.board_id,
                school_id=self._inp.school_id,
            ),
        )
        return context

    async def _wait_for_people(self) -> None:
        if not self._has(STANDING_ALARM):
            await self._wait_with_a_timer_each_time()
            return
        next_alarm = self._next_alarm_at()
        if next_alarm is not None and next_alarm <= workflow.now():
            return  # due now: the loop fires it
        self._set_alarm_clock(next_alarm)
        await workflow.wait_condition(
            lambda: (
                bool(self._effects)
                or self._cancel is not None
                or self._alarm_rang
                or any(opening.done() for opening in self._openings.values())
            )
        )
        self._alarm_rang = False

    def _set_alarm_clock(self, at: datetime | None) -> None:
        """Leave the running timer when it rings at `at` or before (an early ring finds
        nothing due, and the next wait sets it again); otherwise start one for `at`."""
        running = self._alarm_clock is not None and not self._alarm_clock.done()
        if at is None or (running and self._alarm_at is not None and self._alarm_at <= at):
            return
        if running and self._alarm_clock is not None:
            self._alarm_clock.cancel()
        self._alarm_at = at
        self._alarm_clock = asyncio.create_task(self._ring(at - workflow.now()))

    async def _ring(self, after: timedelta) -> None:
        await workflow.sleep(after)
        self._alarm_rang = True

    async def _wait_with_a_timer_each_time(self) -> None:
        """The wait of incidents started before STANDING_ALARM."""
        if self._openings:
            # Openings take milliseconds and deadlines hours: wait for the openings without a
            # timer (each timer is server work), then for people with one.
            await workflow.wait_condition(
                lambda: (
                    bool(self._effects)
                    or self._cancel is not None
                    or any(opening.done() for opening in self._openings.values())
                )
            )
            return
        next_alarm = self._next_alarm_at()
        timeout = None if next_alarm is None else next_alarm - workflow.now()
        if timeout is not None and timeout <= timedelta(0):
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await workflow.wait_condition(
                lambda: bool(self._effects) or self._cancel is not None, timeout=timeout
            )

    # --- updates: answers from people ------------------------------------------------------

    @workflow.update
    def complete_task(self, cmd: CompleteTask) -> UpdateResult:
        task = self._tasks[cmd.task_id]
        outcome = outcome_model(task.kind).model_validate(cmd.outcome)
        self._close(task, "done")
        if task.kind is TaskKind.assess:
            assert isinstance(outcome, AssessOutcome)
            self._assessment = outcome
        elif task.kind is TaskKind.support:
            assert isinstance(outcome, SupportOutcome)
            self._support = outcome
        self._effects.append(Closed(task, cmd.actor_id, answer_id=cmd.answer_id, outcome=outcome))
        return UpdateResult(task_id=task.task_id, status=task.status, opens=self._moves().open)

    @complete_task.validator
    def _validate_complete(self, cmd: CompleteTask) -> None:
        task = self._open_task_of(cmd.task_id, cmd.actor_id)
        try:
            outcome = outcome_model(task.kind).model_validate(cmd.outcome)
        except ValidationError as exc:
            raise refuse(Refusal.invalid_answer, _explain(exc)) from None
        problems = self._cross_step_problems(task, outcome)
        if problems:
            raise refuse(Refusal.invalid_answer, "; ".join(problems))

    @workflow.update
    def not_applicable(self, cmd: NotApplicable) -> UpdateResult:
        task = self._tasks[cmd.task_id]
        self._close(task, "not_applicable")
        self._effects.append(Closed(task, cmd.actor_id, reason_id=cmd.reason_id))
        return UpdateResult(task_id=task.task_id, status=task.status, opens=self._moves().open)

    @not_applicable.validator
    def _validate_not_applicable(self, cmd: NotApplicable) -> None:
        task = self._open_task_of(cmd.task_id, cmd.actor_id)
        if not TASK_KINDS[task.kind].not_applicable_allowed:
            raise refuse(
                Refusal.not_applicable_refused,
                f"the step '{task.step}' always applies and cannot be marked not applicable; "
                "complete it instead",
            )

    @workflow.update
    def reassign(self, cmd: Reassign) -> UpdateResult:
        task = self._tasks[cmd.task_id]
        previous = task.assignee_id or ""
        task.assignee_id = cmd.assignee_id
        task.assignment += 1
        self._effects.append(Reassigned(task, cmd.actor_id, previous))
        return UpdateResult(task_id=task.task_id, status=task.status)

    @reassign.validator
    def _validate_reassign(self, cmd: Reassign) -> None:
        task = self._task_of(cmd.task_id)
        self._require_open(task)
        if cmd.assignee_id == task.assignee_id:
            raise refuse(Refusal.invalid_answer, "the task is already assigned to this person")

    # --- signals: events that need no answer -----------------------------------------------

    @workflow.signal
    def media_inquiry(self, signal: MediaInquiry) -> None:
        if self._status != "open":
            return
        self._media_inquiries += 1
        self._effects.append(InquiryArrived(self._media_inquiries, signal))

    @workflow.signal
    def new_information(self, signal: NewInformation) -> None:
        if self._status != "open":
            return
        self._new_information += 1
        self._effects.append(InformationArrived(self._new_information, signal))

    @workflow.signal
    def cancel(self, signal: Cancel) -> None:
        if self._status == "open" and self._cancel is None:
            self._cancel = signal

    @workflow.query
    def snapshot(self) -> IncidentSnapshot:
        return IncidentSnapshot(
            incident_id=self._inp.incident_id,
            school_id=self._inp.school_id,
            status=self._status,
            steps=dict(self._steps),
            tasks=[t.view() for t in self._tasks.values() if t.status != "skipped"],
            linked_incident_ids=list(self._linked),
            media_inquiries=self._media_inquiries,
            new_information=self._new_information,
        )

    # --- validation helpers ----------------------------------------------------------------

    def _task_of(self, task_id: str) -> TaskState:
        task = self._tasks.get(task_id)
        if task is None:
            raise refuse(Refusal.unknown_task, f"incident has no task {task_id}; check the link")
        return task

    def _require_open(self, task: TaskState) -> None:
        if self._status != "open" or self._cancel is not None:
            raise refuse(
                Refusal.incident_closed, f"the incident is {self._status}; nothing can change"
            )
        if task.status == "waiting":
            waits = ", ".join(s.value for s in STEPS[task.step].waits_for) or "its trigger"
            raise refuse(
                Refusal.not_open_yet,
                f"the '{task.step}' task is not open yet; it opens after {waits}",
            )
        if task.status != "open":
            raise refuse(
                Refusal.closed, f"the '{task.step}' task is {task.status.replace('_', ' ')} already"
            )

    def _open_task_of(self, task_id: str, actor_id: str) -> TaskState:
        task = self._task_of(task_id)
        self._require_open(task)
        if actor_id != task.assignee_id:
            raise refuse(
                Refusal.not_assignee,
                "this task is assigned to someone else; ask them, or have it reassigned to you",
            )
        return task

    def _cross_step_problems(self, task: TaskState, outcome: Outcome) -> list[str]:
        if isinstance(outcome, ReportOutcome) and self._assessment is not None:
            missing = rules.missing_report_routes(self._assessment, outcome)
            return [f"report also to {rules.describe_requirement(req)}" for req in missing]
        if isinstance(outcome, RemoveOutcome) and self._assessment is not None:
            return rules.removal_problems(self._assessment, outcome)
        if isinstance(outcome, InformOutcome):
            refused = rules.letters_refused(self._support, outcome.audiences)
            if refused:
                return [
                    "the victim did not agree to inform "
                    + ", ".join(a.value for a in refused)
                    + "; the victim's wishes come first"
                ]
        return []

    # --- state changes -----------------------------------------------------------------------

    def _new_task(self, step: Step, kind: TaskKind) -> TaskState:
        task = TaskState(task_id=str(workflow.uuid4()), step=step, kind=kind)
        self._tasks[task.task_id] = task
        return task

    def _close(self, task: TaskState, status: str) -> None:
        task.status = status
        if task.kind is main_kind(task.step) and self._current(task.step) is task:
            self._steps[task.step] = StepStatus(status)

    def _current(self, step: Step) -> TaskState:
        """The latest task of the step's own kind (a new round of removal makes a new one)."""
        return [t for t in self._tasks.values() if t.kind is main_kind(t.step) and t.step is step][
            -1
        ]

    def _follow_up_open(self) -> bool:
        return any(
            t.status == "open" for t in self._tasks.values() if t.kind is not main_kind(t.step)
        )

    def _moves(self) -> Moves:
        return next_moves(
            self._steps,
            assessment=self._assessment,
            media_inquiries=self._media_inquiries,
            follow_up_open=self._follow_up_open(),
        )

    # --- side effects, through activities ----------------------------------------------------

    async def _apply(self, moves: Moves) -> None:
        for step in moves.skip:
            self._steps[step] = StepStatus.skipped
            current = self._current(step)
            if current.status == "waiting":
                current.status = "skipped"
            await self._bookkeep(
                TaskActivities.skip_task,
                SkipTaskInput(task=current.ref(self._inp.incident_id), at=workflow.now()),
            )
        if moves.open and self._has(FRESH_CONTEXT):
            # Tasks go to whoever holds the role when they open, on the board's deadlines
            # of that moment: a mentor who left last week gets no new task.
            self._context = await self._load_context()
        if moves.open and self._has(BACKGROUND_OPENINGS):
            for step in moves.open:
                task = self._claim(step)
                self._openings[task.task_id] = asyncio.create_task(
                    self._carry_out_opening(step, task)
                )
            return
        opened = [self._open(step) for step in moves.open]
        await asyncio.gather(*opened)

    async def _open(self, step: Step, task: TaskState | None = None) -> None:
        await self._carry_out_opening(step, self._claim(step, task))

    def _claim(self, step: Step, task: TaskState | None = None) -> TaskState:
        """Marks the step open and assigns its task at once, before the opening's activities:
        the next moves must not open the step again while they run, and the wait that follows
        must already count the task's reminder and escalation times. Returns the task."""
        assert self._context is not None
        task = task or self._current(step)
        if task.status == "skipped":
            task = self._new_task(step, main_kind(step))
        urgent = (
            step is Step.report
            and self._assessment is not None
            and rules.is_immediate_referral(self._assessment)
        )
        self._steps[step] = StepStatus.open
        self._assign(task, urgent=urgent)
        return task

    async def _carry_out_opening(self, step: Step, task: TaskState) -> None:
        """Records the assigned task as open and sends its e-mail, then the step's own
        documents."""
        await self._send_opened(task)
        if step is Step.report and self._assessment is not None:
            routes = sorted(
                {r for req in rules.required_report_routes(self._assessment) for r in req}
            )
            await run_activity(
                ReportActivities.prepare_handoff,
                ReportHandoffInput(
                    task=task.ref(self._inp.incident_id),
                    routes=routes,
                    urgent=task.urgent,
                    at=workflow.now(),
                ),
            )
        if step is Step.remove:
            await run_activity(
                RemoveActivities.send_removal_instructions,
                RemovalInstructionsInput(
                    task=task.ref(self._inp.incident_id),
                    round=self._remove_rounds,
                    at=workflow.now(),
                ),
            )

    async def _open_task(self, task: TaskState, *, urgent: bool) -> None:
        self._assign(task, urgent=urgent)
        await self._send_opened(task)

    def _assign(self, task: TaskState, *, urgent: bool) -> None:
        assert self._context is not None
        role = TASK_KINDS[task.kind].role
        assignee = pick_assignee(role, self._context.holders)
        if assignee is None:
            raise ApplicationError(
                f"nobody at the school or board can take the '{task.kind}' task; "
                "add a coordinator or a board safeguarding adviser"
            )
        now = workflow.now()
        task.status = "open"
        task.assignee_id = assignee
        task.urgent = urgent
        task.opened_at = now
        task.due_at = now + self._context.deadlines.for_step(task.step, urgent=urgent)

    async def _send_opened(self, task: TaskState) -> None:
        assert task.assignee_id and task.opened_at and task.due_at
        await run_activity(
            TaskActivities.open_task,
            OpenTaskInput(
                task=task.ref(self._inp.incident_id),
                assignee_id=task.assignee_id,
                urgent=task.urgent,
                opened_at=task.opened_at,
                due_at=task.due_at,
            ),
        )

    def _reap_openings(self) -> None:
        """Forgets finished openings; one that failed fails the run here, as it did inline."""
        for task_id, opening in list(self._openings.items()):
            if opening.done():
                del self._openings[task_id]
                opening.result()

    async def _settle_openings(self) -> None:
        """Waits for every opening under way: nothing is cancelled or closed half-opened."""
        while self._openings:
            await workflow.wait(list(self._openings.values()))
            self._reap_openings()

    async def _opened(self, task: TaskState) -> None:
        """Waits for this task's own opening: its answer is carried out after it, in order."""
        opening = self._openings.get(task.task_id)
        if opening is not None:
            await workflow.wait([opening])
            self._reap_openings()

    async def _handle(self, effect: Effect) -> None:
        if isinstance(effect, (Closed, Reassigned)):
            await self._opened(effect.task)
        if isinstance(effect, Closed):
            await self._after_close(effect)
        elif isinstance(effect, Reassigned):
            task = effect.task
            assert task.due_at is not None and task.assignee_id is not None
            await run_activity(
                TaskActivities.reassign_task,
                ReassignTaskInput(
                    task=task.ref(self._inp.incident_id),
                    actor_id=effect.actor_id,
                    from_id=effect.from_id,
                    to_id=task.assignee_id,
                    assignment=task.assignment,
                    due_at=task.due_at,
                    at=workflow.now(),
                ),
            )
        elif isinstance(effect, InquiryArrived):
            await self._audit(
                f"media_inquiry:{effect.number}",
                "media_inquiry",
                step=Step.media,
                actor_id=effect.signal.actor_id,
                detail={"number": effect.number, "note": effect.signal.note_id or ""},
            )
        else:
            await self._audit(
                f"new_information:{effect.number}",
                "new_information",
                step=Step.remove,
                actor_id=effect.signal.actor_id,
                detail={"number": effect.number, "note": effect.signal.note_id or ""},
            )
            if self._steps[Step.remove] in (StepStatus.done, StepStatus.not_applicable):
                # The images turned up again: a new round of removal.
                self._remove_rounds += 1
                await self._open(Step.remove, self._new_task(Step.remove, TaskKind.remove))

    async def _after_close(self, effect: Closed) -> None:
        task = effect.task
        ref = task.ref(self._inp.incident_id)
        await self._bookkeep(
            TaskActivities.close_task,
            CloseTaskInput(
                task=ref,
                status=task.status,
                actor_id=effect.actor_id,
                answer_id=effect.answer_id,
                reason_id=effect.reason_id,
                at=workflow.now(),
            ),
        )
        if effect.answer_id is None:
            return
        if task.kind is TaskKind.assess and self._assessment is not None:
            await self._after_assessment(self._assessment)
        elif task.kind in (TaskKind.inform, TaskKind.media):
            await self._send_documents(task, effect)
        elif task.kind is TaskKind.evaluate:
            await run_activity(
                EvaluateActivities.store_lessons,
                StoreLessonsInput(task=ref, answer_id=effect.answer_id),
            )

    async def _after_assessment(self, assessment: AssessOutcome) -> None:
        assert self._context is not None
        adviser = self._context.holders.get(Role.board_safeguarding)
        if rules.is_immediate_referral(assessment) and adviser:
            await run_activity(
                AssessActivities.alert_board,
                ReferralAlertInput(
                    incident_id=self._inp.incident_id,
                    recipient_id=adviser,
                    criteria=assessment.immediate_referral,
                    at=workflow.now(),
                ),
            )
        known = {self._inp.school_id, *self._inp.group_school_ids}
        others = [s for s in assessment.other_school_ids if s not in known]
        for school_id in others:
            await self._open_linked(school_id, group=sorted(known | set(others)))
        if assessment.outside_school_involved:
            contact = self._new_task(Step.assess, TaskKind.contact_outside_school)
            await self._open_task(contact, urgent=False)

    async def _open_linked(self, school_id: str, *, group: list[str]) -> None:
        try:
            linked = await run_activity(
                IncidentActivities.open_linked_incident,
                LinkedIncidentInput(
                    origin_incident_id=self._inp.incident_id, school_id=school_id, at=workflow.now()
                ),
            )
        except ActivityError as err:
            if _failure(err) != ActivityFailure.not_found:
                raise
            # Not a school of this board: the service refuses such answers; record and go on.
            await self._audit(f"link_refused:{school_id}", "link_refused", step=Step.assess)
            return
        await workflow.start_child_workflow(
            IncidentWorkflow.run,
            IncidentInput(
                incident_id=linked.incident_id,
                board_id=linked.board_id,
                school_id=linked.school_id,
                origin_incident_id=self._inp.incident_id,
                group_school_ids=group,
            ),
            id=incident_workflow_id(linked.incident_id),
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
        )
        self._linked.append(linked.incident_id)

    async def _send_documents(self, task: TaskState, effect: Closed) -> None:
        assert effect.answer_id is not None
        activity = (
            InformActivities.send_parent_letters
            if task.kind is TaskKind.inform
            else MediaActivities.send_statement
        )
        try:
            await run_activity(
                activity,
                SendDocumentsInput(
                    task=task.ref(self._inp.incident_id),
                    answer_id=effect.answer_id,
                    approver_id=effect.actor_id,
                    at=workflow.now(),
                ),
            )
        except ActivityError as err:
            if _failure(err) != ActivityFailure.names_person:
                raise
            cause = err.cause
            assert isinstance(cause, ApplicationError)
            # The text names a person in the incident: nothing was sent; the task reopens.
            task.status = "open"
            task.refusals += 1
            self._steps[task.step] = StepStatus.open
            assert task.assignee_id is not None and task.due_at is not None
            named = cause.details[0] if cause.details else 0
            await run_activity(
                TaskActivities.reopen_task,
                ReopenTaskInput(
                    task=task.ref(self._inp.incident_id),
                    assignee_id=task.assignee_id,
                    refusal=task.refusals,
                    labels=int(named),
                    due_at=task.due_at,
                    at=workflow.now(),
                ),
            )

    # --- deadlines ---------------------------------------------------------------------------

    def _alarms(self, task: TaskState) -> list[Alarm]:
        assert self._context is not None
        return pending_alarms(
            is_open=task.status == "open",
            opened_at=task.opened_at,
            due_at=task.due_at,
            fired=task.fired,
            grace=self._context.deadlines.grace(urgent=task.urgent),
            assignee_id=task.assignee_id,
            school_leader_id=self._context.holders.get(Role.school_leader),
            board_adviser_id=self._context.holders.get(Role.board_safeguarding),
        )

    def _next_alarm_at(self) -> datetime | None:
        times = [alarm.at for task in self._tasks.values() for alarm in self._alarms(task)]
        return min(times) if times else None

    async def _fire_due_alarms(self) -> None:
        now = workflow.now()
        for task in list(self._tasks.values()):
            for alarm in self._alarms(task):
                if alarm.at > now:
                    continue
                task.fired.add(alarm.key)
                assert task.assignee_id is not None and task.due_at is not None
                arg = AlarmInput(
                    task=task.ref(self._inp.incident_id),
                    alarm_key=alarm.key,
                    level=alarm.level,
                    recipient_id=alarm.recipient_id,
                    assignee_id=task.assignee_id,
                    assignment=task.assignment,
                    due_at=task.due_at,
                    at=now,
                )
                if alarm.kind is AlarmKind.reminder:
                    await run_activity(TaskActivities.remind_task, arg)
                else:
                    task.escalation_level = max(task.escalation_level, alarm.level)
                    await run_activity(TaskActivities.escalate_task, arg)

    # --- the end -----------------------------------------------------------------------------

    async def _cancel_incident(self, cancel: Cancel) -> None:
        open_tasks = [t for t in self._tasks.values() if t.status == "open"]
        waiting = [t for t in self._tasks.values() if t.status == "waiting"]
        for task in open_tasks + waiting:
            task.status = "cancelled"
        for step, status in self._steps.items():
            if status not in CLOSED:
                self._steps[step] = StepStatus.cancelled
        await run_activity(
            TaskActivities.cancel_tasks,
            CancelTasksInput(
                incident_id=self._inp.incident_id,
                tasks=[(t.ref(self._inp.incident_id), t.assignee_id or "") for t in open_tasks],
                waiting=[t.ref(self._inp.incident_id) for t in waiting],
                actor_id=cancel.actor_id,
                reason_id=cancel.reason_id,
                at=workflow.now(),
            ),
        )
        for linked in self._linked:
            await workflow.get_external_workflow_handle(incident_workflow_id(linked)).signal(
                IncidentWorkflow.cancel, cancel
            )
        await self._set_status("cancelled", actor_id=cancel.actor_id)

    async def _set_status(self, status: str, actor_id: str | None = None) -> None:
        self._status = status
        await self._bookkeep(
            IncidentActivities.set_status,
            IncidentStatusInput(
                incident_id=self._inp.incident_id,
                status=status,
                actor_id=actor_id,
                at=workflow.now(),
            ),
        )

    async def _audit(
        self,
        key: str,
        kind: str,
        *,
        step: Step | None = None,
        actor_id: str | None = None,
        detail: dict[str, str | int | bool | list[str]] | None = None,
    ) -> None:
        await self._bookkeep(
            IncidentActivities.record_audit,
            AuditInput(
                incident_id=self._inp.incident_id,
                key=f"{self._inp.incident_id}:{key}",
                kind=kind,
                at=workflow.now(),
                step=step,
                actor_id=actor_id,
                detail=detail or {},
            ),
        )


def _failure(err: ActivityError) -> str | None:
    cause = err.cause
    return cause.type if isinstance(cause, ApplicationError) else None


def _explain(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "answer"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
