"""Durability: a worker can stop mid-incident; a retried activity does nothing twice."""

from typing import Any

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from activities.tasks import TaskActivities
from domain.steps import Step
from notifications.catcher import MailCatcher
from store import audit, mail_log, tasks
from store.db import Pool
from tests import answers
from tests.drive import complete, eventually, wait_open
from tests.fixtures.world import World, make_deps, running_worker
from workflows.contracts import OpenTaskInput, incident_workflow_id


async def test_a_new_worker_carries_on_where_a_stopped_one_left(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    queue = f"regie-durable-{world.tag}"
    async with running_worker(
        dev_env.client, pool, mail, task_queue=queue, end_incidents=False
    ) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="test", created_by=None
        )
        await complete(h.service, incident_id, Step.assess, answers.assess(possible_csam=False))
        await complete(h.service, incident_id, Step.support, answers.support())
        await wait_open(h.service, incident_id, Step.inform)
    # The first worker is gone; an answer now waits in Temporal for whoever polls next.
    handle = dev_env.client.get_workflow_handle(incident_workflow_id(incident_id))
    async with running_worker(dev_env.client, pool, mail, task_queue=queue) as h:
        for step, answer in (
            (Step.remove, answers.remove()),
            (Step.confront, answers.confront()),
            (Step.inform, answers.inform()),
            (Step.evaluate, answers.evaluate()),
        ):
            await complete(h.service, incident_id, step, answer)
        await eventually(h.service, incident_id, lambda s: s.status == "closed")
        assert (await handle.result())["status"] == "closed"

    async with pool.connection() as conn:
        rows = await tasks.tasks_of_incident(conn, incident_id=incident_id)
        sent = await mail_log.sent_for_incident(conn, incident_id=incident_id)
    opened = [r for r in rows if r.status == "done"]
    assigned = [m for m in sent if m["kind"] == "task_assigned"]
    assert len(opened) == 6 and len(assigned) == 6


class CrashingTaskActivities(TaskActivities):
    """Does all of open_task's work, then dies before telling Temporal, on the first attempt."""

    @activity.defn(name="open_task")
    async def open_task(self, inp: OpenTaskInput) -> None:
        await super().open_task(inp)
        if activity.info().attempt == 1:
            raise RuntimeError("simulated crash after the work was done")


async def test_a_retried_activity_sends_no_second_email_and_writes_no_second_row(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    crashing = CrashingTaskActivities(make_deps(pool, mail))
    replace: dict[str, Any] = {"open_task": crashing.open_task}
    async with running_worker(dev_env.client, pool, mail, replace=replace) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="test", created_by=None
        )
        await complete(h.service, incident_id, Step.assess, answers.assess(possible_csam=False))
        await wait_open(h.service, incident_id, Step.remove)
        await wait_open(h.service, incident_id, Step.confront)
        handle = h.client.get_workflow_handle(incident_workflow_id(incident_id))
        history = await handle.fetch_history()

    # Every open_task ran twice: the crash was real, and so was the retry.
    started = [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    ]
    assert 2 in started

    async with pool.connection() as conn:
        rows = await tasks.tasks_of_incident(conn, incident_id=incident_id)
        events = await audit.events_of_incident(conn, incident_id=incident_id)
        sent = await mail_log.sent_for_incident(conn, incident_id=incident_id)
    opened = [r for r in rows if r.status in ("open", "done")]
    assert len(opened) == 4  # assess, support, remove, confront
    assert len([e for e in events if e.kind == "task_opened"]) == 4
    assert len([m for m in sent if m["kind"] == "task_assigned"]) == 4
    received = [m for m in mail.messages() if "/t/" in "".join(m.links)]
    assert len(received) == 4
