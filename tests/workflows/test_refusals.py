"""Refusals: a wrong or late answer is refused with a message and leaves the history unchanged."""

import asyncio
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.steps import Step
from notifications.catcher import MailCatcher
from regie.service import Refused
from store import incidents
from store.db import Pool
from tests import answers
from tests.drive import complete, eventually, wait_open
from tests.fixtures.world import World, running_worker
from workflows.contracts import CompleteTask, NotApplicable, Reassign, incident_workflow_id
from workflows.incident import IncidentWorkflow
from workflows.refusals import Refusal


async def _settled_length(handle: WorkflowHandle[Any, Any]) -> int:
    """The history's length once the workflow has nothing left to do but wait for people."""
    last = -1
    for _ in range(100):
        length = len((await handle.fetch_history()).events)
        if length == last:
            return length
        last = length
        await asyncio.sleep(0.2)
    raise AssertionError("the workflow never settled")


async def _refused_by_workflow(client: Client, incident_id: str, update: Any, arg: Any) -> str:
    handle = client.get_workflow_handle(incident_workflow_id(incident_id))
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(update, arg)
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.message  # a message the caller can show
    return str(cause.type)


async def test_each_refusal_has_a_message_and_changes_nothing(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="test", created_by=None
        )
        assess = await wait_open(h.service, incident_id, Step.assess)
        support = await complete(h.service, incident_id, Step.support, answers.support())
        snap = await eventually(h.service, incident_id, lambda s: s.steps[Step.support] == "done")
        report = next(t for t in snap.tasks if t.step is Step.report)
        coordinator = assess.assignee_id
        assert coordinator is not None and support.assignee_id is not None

        handle = h.client.get_workflow_handle(incident_workflow_id(incident_id))
        before = await _settled_length(handle)

        async def service_code(call: Any) -> str:
            with pytest.raises(Refused) as caught:
                await call
            assert caught.value.message
            return caught.value.code

        # Unknown task.
        assert (
            await service_code(
                h.service.complete_task(task_id="no-such-task", actor_id=coordinator, answer={})
            )
            == Refusal.unknown_task
        )
        assert (
            await _refused_by_workflow(
                h.client,
                incident_id,
                IncidentWorkflow.complete_task,
                CompleteTask(
                    task_id="no-such-task", actor_id=coordinator, answer_id="x", outcome={}
                ),
            )
            == Refusal.unknown_task
        )
        # A task that is not open yet: the report waits for the assessment.
        assert (
            await service_code(
                h.service.complete_task(
                    task_id=report.task_id, actor_id=coordinator, answer=answers.report()
                )
            )
            == Refusal.not_open_yet
        )
        # Already done.
        assert (
            await service_code(
                h.service.complete_task(
                    task_id=support.task_id, actor_id=support.assignee_id, answer=answers.support()
                )
            )
            == Refusal.closed
        )
        # Invalid answers: refused at the edge, and by the workflow's validator.
        assert (
            await service_code(
                h.service.complete_task(
                    task_id=assess.task_id,
                    actor_id=coordinator,
                    answer=answers.assess(depicted_age="under_13"),
                )
            )
            == Refusal.invalid_answer
        )
        assert (
            await service_code(
                h.service.complete_task(
                    task_id=assess.task_id, actor_id=coordinator, answer={"photo": "x.jpg"}
                )
            )
            == Refusal.invalid_answer
        )
        assert (
            await _refused_by_workflow(
                h.client,
                incident_id,
                IncidentWorkflow.complete_task,
                CompleteTask(
                    task_id=assess.task_id,
                    actor_id=coordinator,
                    answer_id="x",
                    outcome={"possible_csam": "perhaps"},
                ),
            )
            == Refusal.invalid_answer
        )
        # Not the assignee.
        assert (
            await service_code(
                h.service.complete_task(
                    task_id=assess.task_id, actor_id=support.assignee_id, answer=answers.assess()
                )
            )
            == Refusal.not_assignee
        )
        # Assess always applies.
        assert (
            await service_code(
                h.service.not_applicable(task_id=assess.task_id, actor_id=coordinator, reason="nee")
            )
            == Refusal.not_applicable_refused
        )
        assert (
            await _refused_by_workflow(
                h.client,
                incident_id,
                IncidentWorkflow.not_applicable,
                NotApplicable(task_id=assess.task_id, actor_id=coordinator, reason_id="r"),
            )
            == Refusal.not_applicable_refused
        )
        # Reassigning to the current assignee.
        assert (
            await _refused_by_workflow(
                h.client,
                incident_id,
                IncidentWorkflow.reassign,
                Reassign(task_id=assess.task_id, actor_id=coordinator, assignee_id=coordinator),
            )
            == Refusal.invalid_answer
        )

        assert len((await handle.fetch_history()).events) == before
        # Refused answers were not kept either.
        async with pool.connection() as conn:
            cur = await conn.execute(
                "SELECT count(*) AS n FROM answers WHERE incident_id = %s", (incident_id,)
            )
            row = await cur.fetchone()
            persons = await incidents.persons(conn, incident_ids=[incident_id])
        assert row is not None and row["n"] == 1  # only the accepted support answer
        # The refused assessment named two pupils; their names went with it.
        assert persons == []


async def test_a_report_missing_its_required_route_is_refused(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    async with running_worker(dev_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="test", created_by=None
        )
        await complete(h.service, incident_id, Step.assess, answers.assess(has_url=True))
        report = await wait_open(h.service, incident_id, Step.report)
        assert report.assignee_id is not None
        with pytest.raises(Refused) as caught:
            await h.service.complete_task(
                task_id=report.task_id,
                actor_id=report.assignee_id,
                answer=answers.report(("police",)),
            )
        assert caught.value.code == Refusal.invalid_answer
        assert "meldpunt_kinderporno" in caught.value.message
