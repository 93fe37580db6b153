"""Deadlines with time skipping: reminder, first and second escalation, the skipped level."""

import asyncio
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from domain.deadlines import DeadlineSettings
from domain.roles import Role
from domain.steps import Step
from notifications.catcher import MailCatcher
from store import audit, mail_log
from store.audit import AuditEvent
from store.db import Pool
from tests import answers
from tests.drive import complete, wait_open
from tests.fixtures.world import make_world, running_worker

DEADLINES = DeadlineSettings().merged({Step.assess: "PT3H", Step.support: "P2D"})
GRACE = timedelta(hours=24)


async def _events(pool: Pool, incident_id: str, kind: str, count: int) -> list[AuditEvent]:
    """Wait (in real time) until `count` events of `kind` exist; activities run in real time."""
    for _ in range(200):
        async with pool.connection() as conn:
            events = await audit.events_of_incident(conn, incident_id=incident_id)
        found = [e for e in events if e.kind == kind]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} '{kind}' events, found {len(found)}")


async def _mail_kinds(pool: Pool, incident_id: str) -> list[tuple[str, object]]:
    async with pool.connection() as conn:
        rows = await mail_log.sent_for_incident(conn, incident_id=incident_id)
    return [(str(r["kind"]), r["staff_id"]) for r in rows if r["status"] == "sent"]


def _close(actual: timedelta, expected: timedelta) -> bool:
    return abs(actual - expected) < timedelta(minutes=1)


async def test_reminder_then_school_leader_then_board(
    time_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    world = await make_world(pool, deadlines=DEADLINES)
    school = world.school
    async with running_worker(time_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=school.id, summary="test", created_by=None
        )
        task = await wait_open(h.service, incident_id, Step.assess)
        assert task.opened_at is not None and task.due_at is not None
        assert _close(task.due_at - task.opened_at, timedelta(hours=3))

        await time_env.sleep(timedelta(hours=2, minutes=30))
        [reminder] = [
            e for e in await _events(pool, incident_id, "task_reminded", 1) if e.step == "assess"
        ]
        # Two thirds of three hours.
        assert _close(reminder.at - task.opened_at, timedelta(hours=2))
        assert reminder.detail["to"] == school.staff[Role.coordinator]

        await time_env.sleep(timedelta(hours=1))
        first = await _events(pool, incident_id, "task_escalated", 1)
        assert _close(first[0].at - task.due_at, timedelta(0))
        assert first[0].detail == {"level": 1, "to": school.staff[Role.school_leader]}

        await time_env.sleep(GRACE)
        both = [
            e for e in await _events(pool, incident_id, "task_escalated", 2) if e.step == "assess"
        ]
        assert _close(both[1].at - task.due_at, GRACE)
        assert both[1].detail == {"level": 2, "to": world.board_staff[Role.board_safeguarding]}

        snap = await h.service.snapshot(incident_id)
        [assess] = [t for t in snap.tasks if t.step is Step.assess]
        assert assess.escalation_level == 2

    kinds = await _mail_kinds(pool, incident_id)
    assert ("task_reminder", school.staff[Role.coordinator]) in kinds
    assert ("task_escalated", school.staff[Role.school_leader]) in kinds
    assert ("task_escalated", world.board_staff[Role.board_safeguarding]) in kinds
    # One reminder and one e-mail per level, however long the task stays open.
    assess_mails = [k for k in kinds if k[0] in ("task_reminder", "task_escalated")]
    assert len(assess_mails) == len(set(assess_mails))


async def test_level_of_the_assignee_is_skipped(
    time_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    # No coordinator: the school leader takes assess, so escalating to them would be pointless.
    world = await make_world(
        pool, deadlines=DEADLINES, school_roles=(Role.support, Role.school_leader)
    )
    school = world.school
    async with running_worker(time_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=school.id, summary="test", created_by=None
        )
        task = await wait_open(h.service, incident_id, Step.assess)
        assert task.assignee_id == school.staff[Role.school_leader]
        assert task.due_at is not None

        await time_env.sleep(timedelta(hours=3, minutes=10))
        [escalation] = [
            e for e in await _events(pool, incident_id, "task_escalated", 1) if e.step == "assess"
        ]
        # The board's adviser takes the skipped level's place, at the deadline itself.
        assert escalation.detail == {"level": 2, "to": world.board_staff[Role.board_safeguarding]}
        assert _close(escalation.at - task.due_at, timedelta(0))

        await time_env.sleep(GRACE * 2)
        async with pool.connection() as conn:
            events = await audit.events_of_incident(conn, incident_id=incident_id)
        assert [
            e.detail["level"] for e in events if e.kind == "task_escalated" and e.step == "assess"
        ] == [2]


async def test_nothing_fires_after_the_task_is_done(
    time_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    world = await make_world(pool, deadlines=DEADLINES)
    async with running_worker(time_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="test", created_by=None
        )
        await complete(
            h.service, incident_id, Step.assess, answers.assess(possible_csam=False, persons=[])
        )
        await time_env.sleep(timedelta(hours=34))
        # Support (two days) has had its reminder at 32 hours; assess never has one.
        await _events(pool, incident_id, "task_reminded", 1)
        async with pool.connection() as conn:
            events = await audit.events_of_incident(conn, incident_id=incident_id)
        assess_alarms = [
            e
            for e in events
            if e.step == "assess" and e.kind in ("task_reminded", "task_escalated")
        ]
        assert assess_alarms == []


async def test_immediate_referral_deadline_is_an_hour(
    time_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    world = await make_world(pool, deadlines=DEADLINES)
    async with running_worker(time_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="test", created_by=None
        )
        await complete(
            h.service,
            incident_id,
            Step.assess,
            answers.assess(immediate_referral=["adult_involved"], persons=[]),
        )
        report = await wait_open(h.service, incident_id, Step.report)
        assert report.urgent and report.due_at is not None and report.opened_at is not None
        assert _close(report.due_at - report.opened_at, timedelta(hours=1))
        await time_env.sleep(timedelta(hours=2, minutes=30))
        escalations = [
            e for e in await _events(pool, incident_id, "task_escalated", 2) if e.step == "report"
        ]
        # The urgent grace is an hour too: the board hears of it two hours after the referral.
        assert [e.detail["level"] for e in escalations] == [1, 2]
        assert _close(escalations[1].at - report.due_at, timedelta(hours=1))
