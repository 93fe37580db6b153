"""Replay: recorded incident histories must replay on the current workflow code.

A change to IncidentWorkflow that would break incidents already running (a different order of
activities, a timer more or less) fails here. Change such logic behind `workflow.patched`.

Record new histories after an intended, patched change with:
    REGIE_RECORD_HISTORIES=1 .venv/bin/pytest tests/workflows/test_replay.py
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from domain.deadlines import DeadlineSettings
from domain.roles import Role
from domain.steps import Step, TaskKind
from notifications.catcher import MailCatcher
from regie.worker import workflow_runner
from store.db import Pool
from tests import answers
from tests.drive import complete, eventually, wait_open
from tests.fixtures.world import Harness, World, make_world, running_worker
from tests.workflows.careless_incident import CarelessIncidentWorkflow
from workflows.contracts import incident_workflow_id
from workflows.incident import IncidentWorkflow
from workflows.policy_review import PolicyReviewWorkflow

HISTORIES = Path(__file__).parent.parent / "histories"
RECORD = os.environ.get("REGIE_RECORD_HISTORIES") == "1"


def _replayer(*, sandboxed: bool = True) -> Replayer:
    return Replayer(
        workflows=[IncidentWorkflow, PolicyReviewWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner(sandboxed=sandboxed),
    )


async def _keep(h: Harness, incident_id: str, name: str) -> WorkflowHistory:
    handle = h.client.get_workflow_handle(incident_workflow_id(incident_id))
    history = await handle.fetch_history()
    if RECORD:
        HISTORIES.mkdir(exist_ok=True)
        (HISTORIES / f"{name}.json").write_text(history.to_json())
    return history


# In the sandbox, as the tests' workers run; and outside it, as `regie worker` runs by default.
@pytest.mark.parametrize("sandboxed", [True, False], ids=["sandboxed", "as-in-production"])
async def test_recorded_histories_replay_on_this_code(sandboxed: bool) -> None:
    files = sorted(HISTORIES.rglob("*.json"))
    assert files, "no recorded histories; record them (see this module's docstring)"
    for path in files:
        history = WorkflowHistory.from_json(path.stem, path.read_text())
        await _replayer(sandboxed=sandboxed).replay_workflow(history)


async def test_every_branch_of_this_run_replays(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher, world: World
) -> None:
    comms = world.board_staff[Role.communications]
    histories: list[WorkflowHistory] = []
    async with running_worker(dev_env.client, pool, mail) as h:
        # Everything at once: media risk, a linked school, an outside school, two inquiries,
        # new information after removal, a reassignment and a refused letter.
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="test", created_by=None
        )
        assess = await wait_open(h.service, incident_id, Step.assess)
        await h.service.reassign(
            task_id=assess.task_id,
            actor_id=assess.assignee_id or "",
            assignee_id=world.school.staff[Role.school_leader],
        )
        await eventually(
            h.service,
            incident_id,
            lambda s: any(t.step is Step.assess and t.assignment == 2 for t in s.tasks),
        )
        await complete(
            h.service,
            incident_id,
            Step.assess,
            answers.assess(
                media_risk=True,
                outside_school_involved=True,
                other_school_ids=[world.schools[1].id],
            ),
        )
        await h.service.media_inquiry(incident_id=incident_id, actor_id=comms)
        await h.service.media_inquiry(incident_id=incident_id, actor_id=comms)
        await complete(h.service, incident_id, Step.support, answers.support())
        await complete(h.service, incident_id, Step.report, answers.report())
        await complete(h.service, incident_id, Step.remove, answers.remove())
        await h.service.new_information(incident_id=incident_id, actor_id=None)
        await complete(h.service, incident_id, Step.remove, answers.remove())
        await complete(h.service, incident_id, Step.confront, answers.confront())
        await complete(h.service, incident_id, Step.inform, answers.inform())
        await complete(h.service, incident_id, Step.media, answers.media(comms))
        contact = await wait_open(h.service, incident_id, TaskKind.contact_outside_school)
        await h.service.not_applicable(
            task_id=contact.task_id, actor_id=contact.assignee_id or "", reason="al gebeld"
        )
        await complete(h.service, incident_id, Step.evaluate, answers.evaluate())
        snap = await eventually(h.service, incident_id, lambda s: s.status == "closed")
        histories.append(await _keep(h, incident_id, "incident-everything"))

        [linked] = snap.linked_incident_ids
        await wait_open(h.service, linked, Step.assess)
        await h.service.cancel(incident_id=linked, actor_id=None, reason="dubbel")
        await eventually(h.service, linked, lambda s: s.status == "cancelled")
        histories.append(await _keep(h, linked, "incident-linked-cancelled"))

    for history in histories:
        await _replayer().replay_workflow(history)


async def test_deadline_histories_replay(
    time_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    world = await make_world(
        pool, deadlines=DeadlineSettings().merged({Step.assess: "PT2H", Step.support: "PT2H"})
    )
    async with running_worker(time_env.client, pool, mail) as h:
        incident_id = await h.service.start_incident(
            school_id=world.school.id, summary="test", created_by=None
        )
        await wait_open(h.service, incident_id, Step.assess)
        await time_env.sleep(timedelta(days=2))
        await complete(
            h.service,
            incident_id,
            Step.assess,
            answers.assess(immediate_referral=["risk_of_harm"], possible_csam=False),
        )
        await time_env.sleep(timedelta(hours=3))
        await wait_open(h.service, incident_id, Step.report)
        history = await _keep(h, incident_id, "incident-deadlines")
    await _replayer().replay_workflow(history)


EVERYTHING = sorted(HISTORIES.rglob("incident-everything.json"))


@pytest.mark.parametrize(
    "text", [p.read_text() for p in EVERYTHING], ids=[p.parent.name for p in EVERYTHING]
)
async def test_a_breaking_change_fails_replay(text: str) -> None:
    history = WorkflowHistory.from_json("incident-everything", text)
    replayer = Replayer(
        workflows=[CarelessIncidentWorkflow], data_converter=pydantic_data_converter
    )
    with pytest.raises(Exception, match=r"[Nn]ondetermin"):
        await replayer.replay_workflow(history)
