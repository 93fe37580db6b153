"""Patched changes to IncidentWorkflow: old histories replay as they ran, new runs take the
new logic.

FRESH_CONTEXT (2026-11): the role holders and deadlines are read again before tasks open, so a
task goes to whoever holds the role at that moment, not at the incident's start.
LOCAL_BOOKKEEPING (2026-11): database-only bookkeeping runs as local activities.
BACKGROUND_OPENINGS (2026-11): a task's opening runs in the background, so a later answer to
another task is carried out meanwhile; an answer to the task itself still follows its opening.
CHANGES_2026_11 (2026-11): the three above under one id, so a new incident records one marker
and one search-attribute upsert instead of three of each; older incidents ask each patch.
STANDING_ALARM (2026-11): one timer stands for the next alarm instead of one per wait.
CHANGES_2026_11_2 (2026-11): all four under one id again.
"""

import asyncio
import uuid
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from domain.roles import Role
from domain.steps import Step, TaskKind
from notifications.catcher import MailCatcher
from store import directory, documents, tasks
from store.db import Pool
from tests import answers
from tests.drive import complete, wait_open
from tests.fixtures.world import make_world, running_worker
from workflows.contracts import incident_workflow_id
from workflows.incident import (
    BACKGROUND_OPENINGS,
    CHANGES_2026_11,
    CHANGES_2026_11_2,
    FRESH_CONTEXT,
    LOCAL_BOOKKEEPING,
    IncidentWorkflow,
)

HISTORIES = Path(__file__).parent.parent / "histories"


def _patches(history: WorkflowHistory) -> list[str]:
    """The patch ids a history recorded (markers carry them as JSON payloads)."""
    found = []
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
            continue
        details = event.marker_recorded_event_attributes.details
        if "patch-data" in details:
            [payload] = details["patch-data"].payloads
            found.append(pydantic_data_converter.payload_converter.from_payload(payload)["id"])
    return found


def _scheduled(history: WorkflowHistory) -> set[str]:
    """The activities the server scheduled (local activities are markers, not in this set)."""
    return {
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    }


def _count(history: WorkflowHistory, kind: EventType.ValueType) -> int:
    """How many events of one kind a history holds: each is server work."""
    return sum(1 for e in history.events if e.event_type == kind)


def _upserts(history: WorkflowHistory) -> int:
    return _count(history, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)


def _replayer() -> Replayer:
    return Replayer(workflows=[IncidentWorkflow], data_converter=pydantic_data_converter)


def _recorded_before(patch: str) -> list[tuple[str, WorkflowHistory]]:
    """The three histories kept from before a patch (README: "Changing the workflow")."""
    files = sorted((HISTORIES / f"before-{patch}").glob("*.json"))
    assert len(files) == 3
    return [(p.name, WorkflowHistory.from_json(p.stem, p.read_text())) for p in files]


async def _assert_replays(name: str, history: WorkflowHistory) -> None:
    result = await _replayer().replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{name}: {result.replay_failure}"


async def test_histories_from_before_the_patch_replay_without_it() -> None:
    for name, history in _recorded_before("fresh-context"):
        assert _patches(history) == []  # really recorded before the change
        assert "load_context" in _scheduled(history)
        await _assert_replays(name, history)


async def test_a_task_goes_to_whoever_holds_the_role_when_it_opens(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    world = await make_world(pool)
    school = world.school
    leaving = school.staff[Role.school_leader]
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=school.id, summary="test", created_by=None
        )
        await wait_open(h.service, incident_id, Step.assess)
        # The school leader leaves while the assessment is under way; a new one takes over.
        async with pool.connection() as conn:
            await conn.execute("UPDATE staff SET active = false WHERE id = %s", (leaving,))
            newcomer = await directory.create_staff(
                conn,
                board_id=world.board_id,
                name="Nieuwe Schoolleider",
                email=f"leider.{uuid.uuid4().hex[:8]}@school.test",
            )
            await directory.grant_role(
                conn, staff_id=newcomer, role=Role.school_leader, school_id=school.id
            )
        await complete(h.service, incident_id, Step.assess, answers.assess())
        confront = await wait_open(h.service, incident_id, Step.confront)
        assert confront.assignee_id == newcomer

        handle = h.client.get_workflow_handle(incident_workflow_id(incident_id))
        history = await handle.fetch_history()
        await h.service.cancel(incident_id=incident_id, actor_id=None, reason="test")
    # One marker and one upsert for all the changes: each patch id is server work.
    assert _patches(history) == [CHANGES_2026_11_2]
    assert _upserts(history) == 1
    scheduled = _scheduled(history)
    assert "open_task" in scheduled  # e-mail goes through the server's retries
    assert not scheduled & {"load_context", "plan_tasks", "close_task", "record_audit"}
    await _replayer().replay_workflow(history)


async def test_histories_from_before_background_openings_replay_without_it() -> None:
    for name, history in _recorded_before("background-openings"):
        assert set(_patches(history)) == {FRESH_CONTEXT, LOCAL_BOOKKEEPING}
        await _assert_replays(name, history)


async def test_histories_from_before_the_changes_were_folded_replay_patch_by_patch() -> None:
    for name, history in _recorded_before(CHANGES_2026_11):
        assert set(_patches(history)) == {FRESH_CONTEXT, LOCAL_BOOKKEEPING, BACKGROUND_OPENINGS}
        assert _upserts(history) == 3
        await _assert_replays(name, history)


async def test_histories_from_the_first_fold_replay_with_it() -> None:
    for name, history in _recorded_before(CHANGES_2026_11_2):
        assert _patches(history) == [CHANGES_2026_11]
        assert _upserts(history) == 1
        await _assert_replays(name, history)


def _timers(history: WorkflowHistory) -> tuple[int, int]:
    """Timers started and cancelled."""
    return (
        _count(history, EventType.EVENT_TYPE_TIMER_STARTED),
        _count(history, EventType.EVENT_TYPE_TIMER_CANCELED),
    )


async def test_one_timer_stands_for_the_next_alarm(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    world = await make_world(pool)
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="test", created_by=None
        )
        await wait_open(h.service, incident_id, Step.assess)
        await complete(h.service, incident_id, Step.assess, answers.assess())
        await wait_open(h.service, incident_id, Step.support)
        await complete(h.service, incident_id, Step.support, answers.support())
        await wait_open(h.service, incident_id, Step.confront)
        handle = h.client.get_workflow_handle(incident_workflow_id(incident_id))
        history = await handle.fetch_history()
        await h.service.cancel(incident_id=incident_id, actor_id=None, reason="test")
    # Answered long before any deadline, and every later task's alarm after the first one:
    # before STANDING_ALARM, each wait started a timer and each answer cancelled it.
    assert _timers(history) == (1, 0)
    await _replayer().replay_workflow(history)


async def test_a_later_answer_is_carried_out_while_an_earlier_opening_still_runs(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    world = await make_world(pool)
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="test", created_by=None
        )
        await wait_open(h.service, incident_id, Step.support)
        snap = await h.service.snapshot(incident_id)
        report_id = next(t.task_id for t in snap.tasks if t.kind is TaskKind.report)
        async with pool.connection() as blocker:
            # The report's hand-off document, taken by a transaction that does not commit yet:
            # the hand-off (the last part of opening the report) waits on it.
            await blocker.execute(
                "INSERT INTO documents (id, incident_id, task_id, kind, body, status)"
                " VALUES (%s, %s, %s, 'report_handoff', '', 'prepared')",
                (f"handoff:{report_id}", incident_id, report_id),
            )
            await complete(h.service, incident_id, Step.assess, answers.assess())
            await wait_open(h.service, incident_id, Step.report)  # its e-mail went out
            await complete(h.service, incident_id, Step.support, answers.support())
            # Informing the parents follows support, not the report's hand-off.
            await wait_open(h.service, incident_id, Step.inform)
            # The report's own answer is carried out only after its opening.
            await complete(h.service, incident_id, Step.report, answers.report())
            await asyncio.sleep(1.0)
            async with pool.connection() as conn:
                row = await tasks.get_task(conn, task_id=report_id)
            assert row is not None and row.status == "open"
            await blocker.rollback()
        await wait_open(h.service, incident_id, Step.remove)
        async with pool.connection() as conn:
            row = await tasks.get_task(conn, task_id=report_id)
            handoff = await documents.of_incident(
                conn, incident_id=incident_id, kind="report_handoff"
            )
        assert row is not None and row.status == "done"
        assert len(handoff) == 1
        await h.service.cancel(incident_id=incident_id, actor_id=None, reason="test")
