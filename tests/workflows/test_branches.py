"""The branches of the incident workflow, end to end on the dev server through IncidentService.

Each test checks three records: the workflow's snapshot (Temporal), the rows in PostgreSQL
(tasks, audit log, mail log, documents) and the e-mails the SMTP catcher really received.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from domain.plan import StepStatus
from domain.roles import Role
from domain.steps import Step, TaskKind, title
from notifications.catcher import CaughtMessage, MailCatcher
from regie.service import Refused
from store import audit, documents, incidents, mail_log, tasks
from store.audit import AuditEvent
from store.db import Pool
from store.tasks import TaskRow
from tests import answers
from tests.drive import eventually, open_task, wait_open
from tests.fixtures.world import Harness, World, make_world, running_worker
from workflows.contracts import IncidentSnapshot, TaskView, incident_workflow_id
from workflows.incident import IncidentWorkflow

T = TypeVar("T")

# The start of each Dutch subject line, per mail_log kind (notifications/templates/nl).
SUBJECT = {
    "task_assigned": "Nieuwe taak:",
    "task_cancelled": "Taak vervalt:",
    "task_reassigned_away": "Taak overgedragen:",
    "urgent_referral": "Spoed:",
    "removal_instructions": "Zo verwijder je de beelden",
    "media_statement": "Goedgekeurde verklaring voor de media",
}


# --- helpers ---------------------------------------------------------------------------------


async def poll(
    fetch: Callable[[], Awaitable[T]], check: Callable[[T], bool], *, timeout: float = 15.0
) -> T:
    """Fetch until the check holds; PostgreSQL rows and e-mails trail the workflow a little."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await fetch()
        if check(value):
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition never held; last value: {value!r}")
        await asyncio.sleep(0.05)


async def task_rows(pool: Pool, incident_id: str, *, opened: bool = True) -> list[TaskRow]:
    """The incident's task rows; by default only those of tasks that were opened.

    The read model may also hold rows for planned tasks that never opened (waiting, skipped).
    """
    async with pool.connection() as conn:
        rows = await tasks.tasks_of_incident(conn, incident_id=incident_id)
    return [r for r in rows if r.opened_at is not None or not opened]


async def events(pool: Pool, incident_id: str) -> list[AuditEvent]:
    async with pool.connection() as conn:
        return await audit.events_of_incident(conn, incident_id=incident_id)


async def mails(pool: Pool, incident_id: str, kind: str) -> list[dict[str, object]]:
    async with pool.connection() as conn:
        rows = await mail_log.sent_for_incident(conn, incident_id=incident_id)
    return [r for r in rows if r["kind"] == kind]


async def wait_events(pool: Pool, incident_id: str, kind: str, count: int = 1) -> list[AuditEvent]:
    found = await poll(
        lambda: events(pool, incident_id),
        lambda evs: sum(1 for e in evs if e.kind == kind) >= count,
    )
    return [e for e in found if e.kind == kind]


async def wait_mails(
    pool: Pool, incident_id: str, kind: str, count: int = 1
) -> list[dict[str, object]]:
    """Mail-log rows of one kind, once at least `count` of them are marked sent."""
    return await poll(
        lambda: mails(pool, incident_id, kind),
        lambda rows: sum(1 for r in rows if r["status"] == "sent") >= count,
    )


async def caught(
    mail: MailCatcher,
    world: World,
    staff_id: str,
    kind: str,
    *,
    step: TaskKind | None = None,
    count: int = 1,
) -> list[CaughtMessage]:
    """E-mails of one kind that really reached this person (optionally about one step)."""
    address = world.emails[staff_id]
    step_title = title(step, "nl") if step else ""

    def matches(m: CaughtMessage) -> bool:
        # A long subject is folded onto a continuation line and the catcher keeps the
        # leading space of the unfolded value; compare without it.
        subject = m.subject.strip()
        return address in m.to and subject.startswith(SUBJECT[kind]) and step_title in subject

    return await mail.wait_for(matches, timeout=15.0, count=count)


def task_links(message: CaughtMessage) -> list[str]:
    return [link for link in message.links if "/t/" in link]


def tasks_of_kind(snap: IncidentSnapshot, kind: TaskKind) -> list[TaskView]:
    return [t for t in snap.tasks if t.kind is kind]


async def wait_ready(h: Harness, incident_id: str, kind: TaskKind | Step) -> TaskView:
    """Wait until a task is open in the workflow AND in the PostgreSQL read model.

    The snapshot shows a task open a moment before the open_task activity has written its
    row, and the service looks the task up in PostgreSQL: answering in between is refused as
    an unknown task.
    """
    task = await wait_open(h.service, incident_id, kind)

    async def row() -> TaskRow | None:
        async with h.deps.pool.connection() as conn:
            return await tasks.get_task(conn, task_id=task.task_id)

    await poll(row, lambda r: r is not None and r.status == "open")
    return task


async def finish(
    h: Harness, incident_id: str, kind: TaskKind | Step, answer: dict[str, Any]
) -> TaskView:
    """Complete the open task of this kind as its assignee."""
    task = await wait_ready(h, incident_id, kind)
    assert task.assignee_id is not None
    await h.service.complete_task(task_id=task.task_id, actor_id=task.assignee_id, answer=answer)
    return task


async def start(h: Harness, world: World, school_index: int = 0) -> str:
    """Start an incident and wait until assess and support are open."""
    incident_id = await h.service.start_incident(
        school_id=world.schools[school_index].id,
        summary="Beelden gedeeld in een klassenapp",
        created_by=None,
    )
    await wait_ready(h, incident_id, Step.assess)
    await wait_ready(h, incident_id, Step.support)
    return incident_id


async def assessed(
    h: Harness, world: World, *, support: bool = True, **assess: Any
) -> tuple[str, IncidentSnapshot]:
    """Start an incident, complete assess (with overrides) and, unless told not to, support.

    Returns once the workflow has acted on the assessment (confront, which always follows
    assess, is open).
    """
    incident_id = await start(h, world)
    await finish(h, incident_id, Step.assess, answers.assess(**assess))
    if support:
        await finish(h, incident_id, Step.support, answers.support())
    snap = await eventually(
        h.service,
        incident_id,
        lambda s: (
            s.steps[Step.confront] is StepStatus.open
            and (not support or s.steps[Step.support] is StepStatus.done)
        ),
    )
    return incident_id, snap


async def refused(call: Awaitable[Any]) -> Refused:
    with pytest.raises(Refused) as info:
        await call
    return info.value


# Answers for the branches.
NO_URL: dict[str, Any] = {"has_url": False}
NOT_CSAM: dict[str, Any] = {
    "possible_csam": False,
    "has_url": False,
    "image_kinds": ["violent"],
    "depicted_age": "adult",
    "depicted_is_our_pupil": False,
}
SEXTORTION: dict[str, Any] = {
    "possible_csam": False,
    "has_url": False,
    "immediate_referral": ["coercion_or_blackmail"],
}


# --- 1. report routes ------------------------------------------------------------------------


async def test_csam_without_url_needs_hetstoptbijjou_and_police(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id, _ = await assessed(h, world, **NO_URL)
        report = await wait_ready(h, incident_id, Step.report)
        assert report.assignee_id == world.school.staff[Role.coordinator]
        assert not report.urgent

        # The hand-off names Stop it Now's site, and the police, never an image.
        async with pool.connection() as conn:
            handoffs = await poll(
                lambda: documents.of_incident(conn, incident_id=incident_id, kind="report_handoff"),
                lambda docs: len(docs) == 1,
            )
        assert handoffs[0]["task_id"] == report.task_id
        assert "hetstoptbijjou.nl" in handoffs[0]["body"]
        assert "Politie" in handoffs[0]["body"]
        assert "meldpunt-kinderporno.nl" not in handoffs[0]["body"]

        only_stop_it_now = answers.report(("hetstoptbijjou",))
        err = await refused(
            h.service.complete_task(
                task_id=report.task_id, actor_id=report.assignee_id, answer=only_stop_it_now
            )
        )
        assert err.code == "InvalidAnswer"
        assert "police" in err.message
        snap = await h.service.snapshot(incident_id)
        assert snap.steps[Step.report] is StepStatus.open
        assert snap.steps[Step.remove] is StepStatus.waiting

        await h.service.complete_task(
            task_id=report.task_id,
            actor_id=report.assignee_id,
            answer=answers.report(("hetstoptbijjou", "police")),
        )
        await wait_ready(h, incident_id, Step.remove)

    rows = {r.kind: r for r in await task_rows(pool, incident_id)}
    assert rows["report"].status == "done" and rows["report"].answer_id
    assert rows["remove"].status == "open"
    report_events = [e for e in await events(pool, incident_id) if e.step == "report"]
    prepared = next(e for e in report_events if e.kind == "report_handoff_prepared")
    assert prepared.detail["routes"] == ["hetstoptbijjou", "police"]
    assert sum(1 for e in report_events if e.kind == "task_done") == 1


async def test_no_csam_skips_report_and_removal_follows_assess(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await start(h, world)
        await finish(h, incident_id, Step.assess, answers.assess(**NOT_CSAM))
        await wait_ready(h, incident_id, Step.remove)
        snap = await h.service.snapshot(incident_id)
        assert snap.steps[Step.report] is StepStatus.skipped
        assert tasks_of_kind(snap, TaskKind.report) == []
        # Support is still open: removal waited for nothing but the assessment.
        assert snap.steps[Step.support] is StepStatus.open
        assert snap.steps[Step.confront] is StepStatus.open
        remove = open_task(snap, Step.remove)
        assert remove is not None
        assert remove.assignee_id == world.school.staff[Role.coordinator]
        await wait_mails(pool, incident_id, "removal_instructions")
        # Not CSAM: pupils need not be told it is a crime.
        await h.service.complete_task(
            task_id=remove.task_id,
            actor_id=remove.assignee_id,
            answer=answers.remove(pupils_told_it_is_a_crime=False),
        )
        await eventually(h.service, incident_id, lambda s: s.steps[Step.remove] is StepStatus.done)

    assert "report" not in {r.kind for r in await task_rows(pool, incident_id)}
    planned = await task_rows(pool, incident_id, opened=False)
    assert {r.status for r in planned if r.kind == "report"} <= {"skipped"}
    evs = await events(pool, incident_id)
    kinds = [(e.kind, e.step) for e in evs]
    assessed_at = kinds.index(("task_done", "assess"))
    skipped_at = kinds.index(("step_skipped", "report"))
    remove_at = kinds.index(("task_opened", "remove"))
    assert assessed_at < skipped_at < remove_at
    assert not any(e.kind == "report_handoff_prepared" for e in evs)
    async with pool.connection() as conn:
        assert (
            await documents.of_incident(conn, incident_id=incident_id, kind="report_handoff") == []
        )


# --- 3. immediate referral -------------------------------------------------------------------


async def test_immediate_referral_opens_urgent_report_and_alerts_board(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    adviser = world.board_staff[Role.board_safeguarding]
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id, _ = await assessed(h, world, support=False, **SEXTORTION)
        report = await wait_ready(h, incident_id, Step.report)
        assert report.urgent
        assert report.opened_at is not None and report.due_at is not None
        assert abs((report.due_at - report.opened_at) - timedelta(hours=1)) <= timedelta(seconds=5)

        # The board's safeguarding adviser hears at once, by a real e-mail.
        [alert] = await wait_mails(pool, incident_id, "urgent_referral")
        assert alert["staff_id"] == adviser
        [message] = await caught(mail, world, adviser, "urgent_referral")
        assert incident_id in "".join(message.links)

        err = await refused(
            h.service.complete_task(
                task_id=report.task_id,
                actor_id=report.assignee_id or "",
                answer=answers.report(("veilig_thuis",)),
            )
        )
        assert err.code == "InvalidAnswer"
        assert "police" in err.message and "emergency_112" in err.message
        await h.service.complete_task(
            task_id=report.task_id,
            actor_id=report.assignee_id or "",
            answer=answers.report(("police",)),
        )
        await wait_ready(h, incident_id, Step.remove)

    rows = {r.kind: r for r in await task_rows(pool, incident_id)}
    urgent_row = rows["report"]
    assert urgent_row.urgent
    assert urgent_row.due_at is not None and urgent_row.opened_at is not None
    assert abs((urgent_row.due_at - urgent_row.opened_at) - timedelta(hours=1)) <= timedelta(
        seconds=5
    )
    evs = await events(pool, incident_id)
    [alerted] = [e for e in evs if e.kind == "board_alerted"]
    assert alerted.detail == {"to": adviser, "criteria": ["coercion_or_blackmail"]}
    report_opened = next(e for e in evs if e.kind == "task_opened" and e.step == "report")
    assert report_opened.detail["urgent"] is True
    assert alerted.id < report_opened.id
    async with pool.connection() as conn:
        [handoff] = await documents.of_incident(
            conn, incident_id=incident_id, kind="report_handoff"
        )
    assert "SPOED" in handoff["body"]


# --- 4. and 5. media -------------------------------------------------------------------------


async def test_media_risk_opens_media_for_communications(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    communications = world.board_staff[Role.communications]
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id, _ = await assessed(h, world, support=False, media_risk=True)
        media = await wait_ready(h, incident_id, Step.media)
        assert media.assignee_id == communications
        [assigned] = await caught(mail, world, communications, "task_assigned", step=TaskKind.media)
        assert task_links(assigned)

        await h.service.complete_task(
            task_id=media.task_id, actor_id=communications, answer=answers.media(communications)
        )
        [row] = await wait_mails(pool, incident_id, "media_statement")
        assert row["staff_id"] == communications and row["task_id"] == media.task_id
        [statement] = await caught(mail, world, communications, "media_statement")
        assert "handelt volgens haar protocol" in statement.text
        assert answers.VICTIM not in statement.text

    async with pool.connection() as conn:
        [doc] = await documents.of_incident(conn, incident_id=incident_id, kind="media_statement")
    assert doc["status"] == "sent" and doc["task_id"] == media.task_id
    rows = [r for r in await task_rows(pool, incident_id) if r.kind == "media"]
    assert [(r.status, r.assignee_id) for r in rows] == [("done", communications)]
    assert "media_statement_sent" in [e.kind for e in await events(pool, incident_id)]


async def test_two_media_inquiries_open_one_media_task(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id, snap = await assessed(h, world, support=False)
        assert snap.steps[Step.media] is StepStatus.waiting
        await h.service.media_inquiry(
            incident_id=incident_id, actor_id=None, text="Journalist van de regionale krant belde"
        )
        await wait_ready(h, incident_id, Step.media)
        await h.service.media_inquiry(
            incident_id=incident_id,
            actor_id=world.school.staff[Role.school_leader],
            text="Tweede telefoontje",
        )
        inquiries = await wait_events(pool, incident_id, "media_inquiry", count=2)
        snap = await eventually(h.service, incident_id, lambda s: s.media_inquiries == 2)
        assert len(tasks_of_kind(snap, TaskKind.media)) == 1

    assert [e.detail["number"] for e in inquiries] == [1, 2]
    rows = [r for r in await task_rows(pool, incident_id) if r.kind == "media"]
    assert len(rows) == 1
    opened = [
        e for e in await events(pool, incident_id) if e.kind == "task_opened" and e.step == "media"
    ]
    assert len(opened) == 1
    communications = world.board_staff[Role.communications]
    assert len(await caught(mail, world, communications, "task_assigned", step=TaskKind.media)) == 1


async def test_media_inquiry_before_assess_opens_media_at_once(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await start(h, world)
        await h.service.media_inquiry(incident_id=incident_id, actor_id=None)
        media = await wait_ready(h, incident_id, Step.media)
        snap = await h.service.snapshot(incident_id)
        assert snap.steps[Step.assess] is StepStatus.open
        assert snap.media_inquiries == 1
        assert media.assignee_id == world.board_staff[Role.communications]
        # The assessment without media risk does not close or duplicate it.
        await finish(h, incident_id, Step.assess, answers.assess())
        snap = await eventually(
            h.service, incident_id, lambda s: s.steps[Step.confront] is StepStatus.open
        )
        assert [t.task_id for t in tasks_of_kind(snap, TaskKind.media)] == [media.task_id]
        assert snap.steps[Step.media] is StepStatus.open

    await wait_events(pool, incident_id, "media_inquiry")


# --- 6. new information ----------------------------------------------------------------------


async def test_new_information_reopens_removal_only_after_it_was_done(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    mentor = world.school.staff[Role.support]
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id, _ = await assessed(h, world, support=False)
        await wait_ready(h, incident_id, Step.report)

        # Removal still waits for the report: the news is recorded, nothing opens.
        await h.service.new_information(
            incident_id=incident_id, actor_id=None, text="Beelden ook in een andere groep"
        )
        await wait_events(pool, incident_id, "new_information")
        snap = await eventually(h.service, incident_id, lambda s: s.new_information == 1)
        assert snap.steps[Step.remove] is StepStatus.waiting
        assert [t.status for t in tasks_of_kind(snap, TaskKind.remove)] == ["waiting"]
        assert "remove" not in {r.kind for r in await task_rows(pool, incident_id)}

        await finish(h, incident_id, Step.report, answers.report())
        first = await finish(h, incident_id, Step.remove, answers.remove())
        await eventually(h.service, incident_id, lambda s: s.steps[Step.remove] is StepStatus.done)
        await wait_mails(pool, incident_id, "removal_instructions", count=1)

        # The images turned up again after removal: a new round.
        await h.service.new_information(incident_id=incident_id, actor_id=None)
        second = await wait_ready(h, incident_id, Step.remove)
        assert second.task_id != first.task_id
        snap = await h.service.snapshot(incident_id)
        assert snap.new_information == 2
        assert snap.steps[Step.remove] is StepStatus.open
        assert [t.status for t in tasks_of_kind(snap, TaskKind.remove)] == ["done", "open"]

        instructions = await wait_mails(pool, incident_id, "removal_instructions", count=2)
        assert [(r["task_id"], r["staff_id"]) for r in instructions] == [
            (first.task_id, mentor),
            (second.task_id, mentor),
        ]
        await caught(mail, world, mentor, "removal_instructions", count=2)

    removes = [r for r in await task_rows(pool, incident_id) if r.kind == "remove"]
    assert [(r.id, r.status) for r in removes] == [
        (first.task_id, "done"),
        (second.task_id, "open"),
    ]
    evs = await events(pool, incident_id)
    assert sum(1 for e in evs if e.kind == "new_information") == 2
    rounds = [e.detail["round"] for e in evs if e.kind == "removal_instructions_sent"]
    assert rounds == [1, 2]


# --- 7. cancel -------------------------------------------------------------------------------


async def test_cancel_closes_open_tasks_and_keeps_the_reason_out_of_temporal(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    reason = "Loos alarm: het bleek een AI-plaatje ZQX-cancel-4471"
    leader = world.school.staff[Role.school_leader]
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id, _ = await assessed(h, world, support=False)
        await wait_ready(h, incident_id, Step.report)
        snap = await h.service.snapshot(incident_id)
        open_before = {t.task_id: t for t in snap.tasks if t.status == "open"}
        assert {t.kind for t in open_before.values()} == {
            TaskKind.support,
            TaskKind.report,
            TaskKind.confront,
        }

        err = await refused(h.service.cancel(incident_id=incident_id, actor_id=leader, reason=" "))
        assert err.code == "InvalidAnswer"
        await h.service.cancel(incident_id=incident_id, actor_id=leader, reason=reason)

        handle = h.client.get_workflow_handle_for(
            IncidentWorkflow.run, incident_workflow_id(incident_id)
        )
        result = await handle.result()
        assert result.status == "cancelled"
        snap = await h.service.snapshot(incident_id)
        assert snap.status == "cancelled"
        for task in snap.tasks:
            if task.task_id in open_before:
                assert task.status == "cancelled"
        assert snap.steps[Step.assess] is StepStatus.done
        assert all(
            status is StepStatus.cancelled
            for step, status in snap.steps.items()
            if step is not Step.assess
        )

        cancelled_mails = await wait_mails(pool, incident_id, "task_cancelled", count=3)
        assert sorted((str(r["task_id"]), str(r["staff_id"])) for r in cancelled_mails) == sorted(
            (t.task_id, t.assignee_id or "") for t in open_before.values()
        )
        for task in open_before.values():
            assert task.assignee_id is not None
            await caught(mail, world, task.assignee_id, "task_cancelled", step=task.kind)

        history = await handle.fetch_history()

    rows = {r.id: r for r in await task_rows(pool, incident_id)}
    assert {rows[t].status for t in open_before} == {"cancelled"}
    assert [r.status for r in rows.values() if r.id not in open_before] == ["done"]
    async with pool.connection() as conn:
        incident = await incidents.get_incident(conn, incident_id=incident_id)
    assert incident is not None and incident.status == "cancelled"
    assert incident.closed_at is not None
    evs = await events(pool, incident_id)
    cancelled = [e for e in evs if e.kind == "task_cancelled"]
    assert {e.task_id for e in cancelled} == set(open_before)
    assert {e.actor_id for e in cancelled} == {leader}
    assert evs[-1].kind == "incident_cancelled"

    # The reason stays in PostgreSQL; Temporal carries only its id. Search the JSON and the raw
    # payload bytes (JSON shows payload data base64-encoded), with positive controls.
    note_id = str(cancelled[0].detail["reason"])
    raw = b"".join(event.SerializeToString() for event in history.events)
    assert note_id.encode() in raw and incident_id.encode() in raw
    assert reason not in history.to_json()
    assert reason.encode() not in raw
    assert b"ZQX-cancel-4471" not in raw


async def test_cancel_leaves_no_planned_task_waiting(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await start(h, world)
        await h.service.cancel(incident_id=incident_id, actor_id=None, reason="Loos alarm")
        handle = h.client.get_workflow_handle_for(
            IncidentWorkflow.run, incident_workflow_id(incident_id)
        )
        assert (await handle.result()).status == "cancelled"
        snap = await h.service.snapshot(incident_id)
        # Every step is cancelled; the tasks of those steps should say so too.
        assert {snap.steps[t.step] for t in snap.tasks if t.status == "waiting"} <= {
            StepStatus.waiting
        }
        assert [t.kind for t in snap.tasks if t.status == "waiting"] == []

    planned = await task_rows(pool, incident_id, opened=False)
    assert [r.kind for r in planned if r.status == "waiting"] == []
    # Only the tasks that were open were announced as cancelled.
    assert {str(r["staff_id"]) for r in await mails(pool, incident_id, "task_cancelled")} == {
        world.school.staff[Role.coordinator],
        world.school.staff[Role.support],
    }


# --- 8. not applicable -----------------------------------------------------------------------


async def test_support_not_applicable_lets_inform_open_but_assess_always_applies(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await start(h, world)
        snap = await h.service.snapshot(incident_id)
        assess = open_task(snap, Step.assess)
        support = open_task(snap, Step.support)
        assert assess is not None and support is not None
        assert assess.assignee_id is not None and support.assignee_id is not None

        err = await refused(
            h.service.not_applicable(
                task_id=assess.task_id, actor_id=assess.assignee_id, reason="Niet nodig"
            )
        )
        assert err.code == "NotApplicableRefused"
        err = await refused(
            h.service.not_applicable(
                task_id=support.task_id, actor_id=support.assignee_id, reason="  "
            )
        )
        assert err.code == "InvalidAnswer"

        result = await h.service.not_applicable(
            task_id=support.task_id,
            actor_id=support.assignee_id,
            reason="Het slachtoffer zit op een school buiten het bestuur",
        )
        assert result.status == "not_applicable"
        snap = await eventually(
            h.service, incident_id, lambda s: s.steps[Step.support] is StepStatus.not_applicable
        )
        assert snap.steps[Step.assess] is StepStatus.open
        assert snap.steps[Step.inform] is StepStatus.waiting

        await finish(h, incident_id, Step.assess, answers.assess())
        inform = await wait_ready(h, incident_id, Step.inform)
        assert inform.assignee_id == world.school.staff[Role.school_leader]

    rows = {r.kind: r for r in await task_rows(pool, incident_id)}
    assert rows["support"].status == "not_applicable" and rows["support"].closed_at
    assert rows["assess"].status == "done"
    [na] = [e for e in await events(pool, incident_id) if e.kind == "task_not_applicable"]
    assert na.step == "support" and na.detail["reason"]


# --- 9. reassign -----------------------------------------------------------------------------


async def test_reassign_moves_the_task_and_its_link(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    coordinator = world.school.staff[Role.coordinator]
    leader = world.school.staff[Role.school_leader]
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await start(h, world)
        assess = await wait_ready(h, incident_id, Step.assess)
        assert assess.assignee_id == coordinator and assess.assignment == 1
        [first] = await caught(mail, world, coordinator, "task_assigned", step=TaskKind.assess)

        await h.service.reassign(task_id=assess.task_id, actor_id=leader, assignee_id=leader)
        snap = await eventually(
            h.service,
            incident_id,
            lambda s: any(t.task_id == assess.task_id and t.assignee_id == leader for t in s.tasks),
        )
        [moved] = [t for t in snap.tasks if t.task_id == assess.task_id]
        assert moved.assignment == 2 and moved.status == "open"

        [away] = await caught(mail, world, coordinator, "task_reassigned_away")
        assert not task_links(away)
        [second] = await caught(mail, world, leader, "task_assigned", step=TaskKind.assess)
        assert task_links(second) and task_links(first)
        assert task_links(second) != task_links(first)

        err = await refused(
            h.service.complete_task(
                task_id=assess.task_id, actor_id=coordinator, answer=answers.assess()
            )
        )
        assert err.code == "NotAssignee"
        await h.service.complete_task(
            task_id=assess.task_id, actor_id=leader, answer=answers.assess()
        )
        await eventually(h.service, incident_id, lambda s: s.steps[Step.assess] is StepStatus.done)
        # The task table follows the workflow: its close activity runs after the update.
        for _ in range(200):
            row = next(r for r in await task_rows(pool, incident_id) if r.id == assess.task_id)
            if row.status == "done":
                break
            await asyncio.sleep(0.05)

    assert (row.assignee_id, row.assignment, row.status) == (leader, 2, "done")
    kinds = {
        (str(r["kind"]), str(r["staff_id"]))
        for r in await mails(pool, incident_id, "task_reassigned_away")
        + await mails(pool, incident_id, "task_assigned")
        if r["task_id"] == assess.task_id
    }
    assert kinds == {
        ("task_assigned", coordinator),
        ("task_reassigned_away", coordinator),
        ("task_assigned", leader),
    }
    [reassigned] = [e for e in await events(pool, incident_id) if e.kind == "task_reassigned"]
    assert reassigned.detail == {"from": coordinator, "to": leader}
    done = next(e for e in await events(pool, incident_id) if e.kind == "task_done")
    assert done.actor_id == leader


# --- 10. cross-school ------------------------------------------------------------------------


async def test_other_school_of_the_board_gets_a_linked_incident(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    other_board = await make_world(pool, schools=1)
    school2 = world.schools[1]
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await start(h, world)
        assess = await wait_ready(h, incident_id, Step.assess)
        assert assess.assignee_id is not None

        err = await refused(
            h.service.complete_task(
                task_id=assess.task_id,
                actor_id=assess.assignee_id,
                answer=answers.assess(other_school_ids=[other_board.school.id]),
            )
        )
        assert err.code == "InvalidAnswer"
        assert "not a school of this board" in err.message
        assert (await h.service.snapshot(incident_id)).steps[Step.assess] is StepStatus.open

        await h.service.complete_task(
            task_id=assess.task_id,
            actor_id=assess.assignee_id,
            answer=answers.assess(other_school_ids=[school2.id]),
        )
        snap = await eventually(h.service, incident_id, lambda s: bool(s.linked_incident_ids))
        [linked_id] = snap.linked_incident_ids
        async with pool.connection() as conn:
            assert await incidents.linked_ids(conn, incident_id=incident_id) == [linked_id]
            assert await incidents.linked_ids(conn, incident_id=linked_id) == [incident_id]
            linked = await incidents.get_incident(conn, incident_id=linked_id)
        assert linked is not None
        assert linked.school_id == school2.id and linked.origin_incident_id == incident_id

        linked_handle = h.client.get_workflow_handle(incident_workflow_id(linked_id))
        assert (await linked_handle.describe()).status is WorkflowExecutionStatus.RUNNING
        linked_assess = await wait_ready(h, linked_id, Step.assess)
        coordinator2 = school2.staff[Role.coordinator]
        assert linked_assess.assignee_id == coordinator2
        [row] = [
            r
            for r in await wait_mails(pool, linked_id, "task_assigned", count=2)
            if r["task_id"] == linked_assess.task_id
        ]
        assert row["staff_id"] == coordinator2
        [message] = await caught(mail, world, coordinator2, "task_assigned", step=TaskKind.assess)
        assert task_links(message)

        await h.service.cancel(
            incident_id=incident_id, actor_id=None, reason="Loos alarm, beide scholen"
        )
        await eventually(h.service, incident_id, lambda s: s.status == "cancelled")
        linked_snap = await eventually(h.service, linked_id, lambda s: s.status == "cancelled")
        assert {t.status for t in linked_snap.tasks if t.opened_at} == {"cancelled"}
        await wait_mails(pool, linked_id, "task_cancelled", count=2)

    async with pool.connection() as conn:
        for iid in (incident_id, linked_id):
            row_ = await incidents.get_incident(conn, incident_id=iid)
            assert row_ is not None and row_.status == "cancelled"
    assert {r.status for r in await task_rows(pool, linked_id)} == {"cancelled"}
    linked_events = [e.kind for e in await events(pool, linked_id)]
    assert "incident_linked" in linked_events and linked_events[-1] == "incident_cancelled"


# --- 11. outside school ----------------------------------------------------------------------


async def test_outside_school_contact_holds_back_evaluate(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    coordinator = world.school.staff[Role.coordinator]
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id, _ = await assessed(h, world, outside_school_involved=True)
        contact = await wait_ready(h, incident_id, TaskKind.contact_outside_school)
        assert contact.assignee_id == coordinator and contact.step is Step.assess
        [message] = await caught(
            mail, world, coordinator, "task_assigned", step=TaskKind.contact_outside_school
        )
        assert task_links(message)

        await finish(h, incident_id, Step.report, answers.report())
        await finish(h, incident_id, Step.remove, answers.remove())
        await finish(h, incident_id, Step.confront, answers.confront())
        inform = await wait_ready(h, incident_id, Step.inform)
        result = await h.service.complete_task(
            task_id=inform.task_id, actor_id=inform.assignee_id or "", answer=answers.inform()
        )
        assert result.opens == []
        # Every step is closed, but the contact is still open: evaluate waits.
        await wait_events(pool, incident_id, "parent_letter_sent")
        snap = await h.service.snapshot(incident_id)
        assert all(
            snap.steps[s] is StepStatus.done
            for s in (Step.assess, Step.support, Step.report, Step.remove, Step.confront)
        )
        assert snap.steps[Step.evaluate] is StepStatus.waiting
        assert open_task(snap, TaskKind.contact_outside_school) is not None

        result = await h.service.complete_task(
            task_id=contact.task_id, actor_id=coordinator, answer=answers.contact_outside_school()
        )
        assert result.opens == [Step.evaluate]
        await wait_ready(h, incident_id, Step.evaluate)
        snap = await h.service.snapshot(incident_id)
        assert snap.steps[Step.media] is StepStatus.skipped

    evs = await events(pool, incident_id)
    contact_done = next(e.id for e in evs if e.kind == "task_done" and e.task_id == contact.task_id)
    evaluate_opened = next(e.id for e in evs if e.kind == "task_opened" and e.step == "evaluate")
    assert contact_done < evaluate_opened
    rows = {r.kind: r for r in await task_rows(pool, incident_id)}
    assert rows["contact_outside_school"].status == "done"
    assert rows["evaluate"].status == "open"
