"""The incident service: the one way answers and events reach an incident.

It takes a person's full answer, keeps names and free text in PostgreSQL, and sends the
workflow only the structured part with the id of the stored row (the claim check). The API
calls these functions; so do the tests.
"""

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.anonymity import persons_named
from domain.forms.assess import AssessAnswer
from domain.forms.inform import InformAnswer
from domain.forms.media import MediaAnswer
from domain.forms.registry import answer_model
from domain.policy import REVIEW_FORMS, ReviewTaskKind
from domain.steps import TaskKind
from store import answers, directory, incidents, policy_reviews, tasks
from store.db import Pool, one_write
from workflows.contracts import (
    Cancel,
    CompleteTask,
    IncidentInput,
    IncidentSnapshot,
    MediaInquiry,
    NewInformation,
    NotApplicable,
    Reassign,
    ReviewSnapshot,
    UpdateResult,
    incident_workflow_id,
)
from workflows.incident import IncidentWorkflow
from workflows.refusals import Refusal


class Unavailable(Exception):
    """A server Regie needs does not answer; nothing was changed."""


@contextlib.contextmanager
def _temporal() -> Iterator[None]:
    """Turn 'Temporal is not there' into Unavailable; refusals and other errors pass through."""
    try:
        yield
    except RPCError as err:
        if err.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise Unavailable("Temporal is unavailable") from err
        raise
    except RuntimeError as err:
        # The SDK's lazy client reports a refused connection as a plain RuntimeError.
        if "connect" in str(err).lower():
            raise Unavailable("Temporal is unavailable") from err
        raise


@dataclass(frozen=True)
class FieldProblem:
    where: str  # a dotted path into the form, e.g. "channels.0.description"
    type: str  # pydantic's error type, e.g. "missing"
    message: str


class Refused(Exception):
    """An answer or request that changes nothing. `code` maps to an HTTP status."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        problems: list[FieldProblem] | None = None,
        named: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # For pages that explain it in the reader's language: which fields, and which labels
        # ("Leerling A") a letter named.
        self.problems = problems or []
        self.named = named or []


@dataclass(frozen=True)
class IncidentService:
    pool: Pool
    temporal: Client
    task_queue: str

    # --- incidents ---------------------------------------------------------------------------

    async def start_incident(self, *, school_id: str, summary: str, created_by: str | None) -> str:
        """Create the incident row and start its workflow; neither exists without the other."""
        async with self.pool.connection() as conn:
            incident = await incidents.create_incident(
                conn, school_id=school_id, summary=summary, created_by=created_by
            )
            # Start inside the transaction: if Temporal refuses, the row rolls back with it.
            with _temporal():
                handle = await self.temporal.start_workflow(
                    IncidentWorkflow.run,
                    IncidentInput(
                        incident_id=incident.id, board_id=incident.board_id, school_id=school_id
                    ),
                    id=incident_workflow_id(incident.id),
                    task_queue=self.task_queue,
                )
            try:
                await conn.commit()
            except BaseException:
                # The row is gone, so the workflow must go too: no half-made incident.
                with contextlib.suppress(Exception):
                    await handle.terminate("the incident could not be saved")
                raise
        return incident.id

    async def snapshot(self, incident_id: str) -> IncidentSnapshot:
        handle = self.temporal.get_workflow_handle(incident_workflow_id(incident_id))
        with _temporal():
            return await handle.query(IncidentWorkflow.snapshot)

    # --- answers -----------------------------------------------------------------------------

    async def complete_task(
        self,
        *,
        task_id: str,
        actor_id: str,
        answer: dict[str, Any],
        known: tasks.TaskRow | None = None,
    ) -> UpdateResult:
        """`known`: the task as the caller read it for its access check, so it is not read
        again. The workflow decides whether the task is still open, not this row."""
        task = await self._task(task_id, known)
        model = (
            REVIEW_FORMS[ReviewTaskKind(task.kind)]
            if task.review_id
            else answer_model(TaskKind(task.kind))
        )
        try:
            parsed = model.model_validate(answer)
            outcome = parsed.to_outcome()
        except ValidationError as exc:
            raise Refused(Refusal.invalid_answer, _explain(exc), problems=_problems(exc)) from None
        if task.incident_id:
            await self._check_answer(task.incident_id, parsed)
        persons = parsed.persons if isinstance(parsed, AssessAnswer) and task.incident_id else []
        # Most answers name nobody: then the answer is one INSERT, whole or not at all.
        async with self.pool.connection() if persons else one_write(self.pool) as conn:
            answer_id = await answers.insert_pending(
                conn,
                task_id=task_id,
                incident_id=task.incident_id,
                review_id=task.review_id,
                kind=task.kind,
                actor_id=actor_id,
                body=parsed.model_dump(mode="json"),
            )
            if persons and task.incident_id:
                # Stored with the answer, so the anonymity guard knows the names from the
                # moment the workflow could act on them.
                await incidents.add_persons(
                    conn,
                    incident_id=task.incident_id,
                    persons=[(p.role, p.name, p.is_our_pupil) for p in persons],
                    answer_id=answer_id,
                )
        try:
            result = await self._update(
                task,
                "complete_task",
                CompleteTask(
                    task_id=task_id,
                    actor_id=actor_id,
                    answer_id=answer_id,
                    outcome=outcome.model_dump(mode="json"),
                ),
            )
        except Refused:
            # Refused for certain: nothing of it may stay. After any other error the workflow
            # may have accepted it, so the answer stays; `close_task` marks it accepted.
            async with self.pool.connection() as conn:
                await answers.discard_pending(conn, answer_id=answer_id)
            raise
        return result

    async def not_applicable(
        self, *, task_id: str, actor_id: str, reason: str, known: tasks.TaskRow | None = None
    ) -> UpdateResult:
        task = await self._task(task_id, known)
        if task.incident_id is None:
            raise Refused(
                Refusal.not_applicable_refused,
                "every part of the yearly review applies; record what is in place instead",
            )
        if not reason.strip():
            raise Refused(Refusal.invalid_answer, "reason: say why this step does not apply")
        async with one_write(self.pool) as conn:
            note_id = await answers.insert_note(
                conn,
                incident_id=task.incident_id,
                task_id=task_id,
                kind="not_applicable",
                body=reason,
                actor_id=actor_id,
            )
        try:
            return await self._update(
                task,
                "not_applicable",
                NotApplicable(task_id=task_id, actor_id=actor_id, reason_id=note_id),
            )
        except Refused:
            async with one_write(self.pool) as conn:
                await answers.delete_note(conn, note_id=note_id)
            raise

    async def reassign(self, *, task_id: str, actor_id: str, assignee_id: str) -> UpdateResult:
        task = await self._task(task_id)
        async with self.pool.connection() as conn:
            school_id = await self._school_of(conn, task)
            if not await directory.is_staff_of_school(
                conn, staff_id=assignee_id, school_id=school_id
            ):
                raise Refused(
                    Refusal.invalid_answer,
                    "assignee_id: choose a colleague at this school or the board's office",
                )
        return await self._update(
            task, "reassign", Reassign(task_id=task_id, actor_id=actor_id, assignee_id=assignee_id)
        )

    async def task_state(self, task: tasks.TaskRow) -> tuple[str, str | None, int] | None:
        """(status, assignee, assignment) of a task as its workflow knows it this moment."""
        if task.review_id:
            handle = self.temporal.get_workflow_handle(task.review_id)
            with _temporal():
                review = await handle.query("snapshot", result_type=ReviewSnapshot)
            views: list[Any] = list(review.tasks)
        else:
            assert task.incident_id is not None
            views = list((await self.snapshot(task.incident_id)).tasks)
        view = next((v for v in views if v.task_id == task.id), None)
        return (view.status, view.assignee_id, view.assignment) if view else None

    async def school_of(self, task: tasks.TaskRow) -> str:
        async with self.pool.connection() as conn:
            return await self._school_of(conn, task)

    async def _school_of(self, conn: Any, task: tasks.TaskRow) -> str:
        if task.incident_id:
            incident = await incidents.get_incident(conn, incident_id=task.incident_id)
            assert incident is not None
            return incident.school_id
        assert task.review_id is not None
        review = await policy_reviews.get_review(conn, review_id=task.review_id)
        assert review is not None
        return str(review["school_id"])

    # --- events ------------------------------------------------------------------------------

    async def media_inquiry(
        self, *, incident_id: str, actor_id: str | None, text: str = ""
    ) -> None:
        await self._signal(
            incident_id,
            "media_inquiry",
            text,
            actor_id,
            lambda note_id: (
                IncidentWorkflow.media_inquiry,
                MediaInquiry(actor_id=actor_id, note_id=note_id),
            ),
        )

    async def new_information(
        self, *, incident_id: str, actor_id: str | None, text: str = ""
    ) -> None:
        await self._signal(
            incident_id,
            "new_information",
            text,
            actor_id,
            lambda note_id: (
                IncidentWorkflow.new_information,
                NewInformation(actor_id=actor_id, note_id=note_id),
            ),
        )

    async def cancel(self, *, incident_id: str, actor_id: str | None, reason: str) -> None:
        if not reason.strip():
            raise Refused(Refusal.invalid_answer, "reason: say why this is a false alarm")
        await self._signal(
            incident_id,
            "cancel",
            reason,
            actor_id,
            lambda note_id: (
                IncidentWorkflow.cancel,
                Cancel(actor_id=actor_id, reason_id=note_id or ""),
            ),
        )

    async def _signal(
        self,
        incident_id: str,
        kind: str,
        text: str,
        actor_id: str | None,
        make: Callable[[str | None], tuple[Any, Any]],
    ) -> None:
        """Keep the text, then signal with its id; a signal that fails leaves no text behind."""
        note_id = await self._note(incident_id, kind, text, actor_id)
        signal, arg = make(note_id)
        handle = self.temporal.get_workflow_handle(incident_workflow_id(incident_id))
        try:
            with _temporal():
                await handle.signal(signal, arg)
        except BaseException:
            if note_id:
                async with self.pool.connection() as conn:
                    await answers.delete_note(conn, note_id=note_id)
            raise

    # --- helpers -----------------------------------------------------------------------------

    async def _task(self, task_id: str, known: tasks.TaskRow | None = None) -> tasks.TaskRow:
        if known is not None and known.id == task_id:
            return known
        async with self.pool.connection() as conn:
            task = await tasks.get_task(conn, task_id=task_id)
        if task is None:
            raise Refused(Refusal.unknown_task, f"there is no open task {task_id}; check the link")
        return task

    async def _note(
        self, incident_id: str, kind: str, text: str, actor_id: str | None
    ) -> str | None:
        if not text.strip():
            return None
        async with one_write(self.pool) as conn:
            return await answers.insert_note(
                conn, incident_id=incident_id, kind=kind, body=text, actor_id=actor_id
            )

    async def _check_answer(self, incident_id: str, parsed: object) -> None:
        """Checks that need the names and the directory, which the workflow never sees."""
        other_schools = parsed.other_school_ids if isinstance(parsed, AssessAnswer) else []
        texts: list[str] = []
        if isinstance(parsed, InformAnswer):
            texts = [letter.text for letter in parsed.letters]
        elif isinstance(parsed, MediaAnswer):
            texts = [parsed.statement]
        if not other_schools and not texts:
            return  # most answers: nothing here to check, so no transaction either
        async with self.pool.connection() as conn:
            incident = await incidents.get_incident(conn, incident_id=incident_id)
            assert incident is not None
            for school_id in other_schools:
                if await directory.school_board(conn, school_id=school_id) != incident.board_id:
                    raise Refused(
                        Refusal.invalid_answer,
                        f"other_school_ids: {school_id} is not a school of this board; "
                        "for a school outside the board, tick outside_school_involved",
                    )
                if school_id == incident.school_id:
                    raise Refused(
                        Refusal.invalid_answer,
                        "other_school_ids: list only other schools, not this one",
                    )
            if texts:
                group = [incident.id, *await incidents.linked_ids(conn, incident_id=incident.id)]
                if incident.origin_incident_id:
                    group.append(incident.origin_incident_id)
                persons = await incidents.persons(conn, incident_ids=group)
                named = sorted({label for t in texts for label in persons_named(t, persons)})
                if named:
                    raise Refused(
                        Refusal.invalid_answer,
                        f"the text names {', '.join(named)}; letters and statements never name "
                        "a person involved. Rewrite it without names",
                        named=named,
                    )

    async def _update(self, task: tasks.TaskRow, update: str, arg: Any) -> UpdateResult:
        workflow_id = task.review_id or incident_workflow_id(task.incident_id or "")
        handle = self.temporal.get_workflow_handle(workflow_id)
        try:
            with _temporal():
                result: UpdateResult = await handle.execute_update(
                    update, arg, result_type=UpdateResult
                )
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type:
                raise Refused(cause.type, cause.message) from None
            raise
        except RPCError as err:
            # A workflow that has ended takes no updates, and Temporal calls it not found. The
            # incident (or review) is over: that is a state, not a missing thing.
            if err.status == RPCStatusCode.NOT_FOUND and await _has_ended(handle):
                what = "yearly review" if task.review_id else "incident"
                raise Refused(
                    Refusal.incident_closed, f"the {what} is closed; nothing can change"
                ) from None
            raise
        return result


async def _has_ended(handle: WorkflowHandle[Any, Any]) -> bool:
    try:
        with _temporal():
            described = await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False  # never started, or its history is deleted: the 404 stands
        raise
    return described.status not in (None, WorkflowExecutionStatus.RUNNING)


def _problems(exc: ValidationError) -> list[FieldProblem]:
    return [
        FieldProblem(
            where=".".join(str(p) for p in e["loc"]), type=str(e["type"]), message=str(e["msg"])
        )
        for e in exc.errors()
    ]


def _explain(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "answer"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
