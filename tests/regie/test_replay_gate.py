"""`regie replay`: the gate before a deploy replays histories on this build and fails on a
change that running incidents would not survive."""

from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from domain.steps import Step
from notifications.catcher import MailCatcher
from regie import replay as replay_module
from regie.cli import app as cli
from store.db import Pool
from tests.drive import wait_open
from tests.fixtures.world import World, running_worker
from tests.regie.careless_workflow import ReorderedIncidentWorkflow
from workflows.contracts import incident_workflow_id

HISTORIES = Path(__file__).parent.parent / "histories"


def test_the_recorded_histories_pass_the_gate() -> None:
    files = sorted(HISTORIES.rglob("*.json"))
    done = CliRunner().invoke(cli, ["replay", str(HISTORIES)])
    assert done.exit_code == 0, done.output
    assert f"All {len(files)} workflow(s) replay on this build." in done.output


def test_a_change_running_incidents_would_not_survive_fails_the_gate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(replay_module, "ALL_WORKFLOWS", [ReorderedIncidentWorkflow])
    history = HISTORIES / "incident-everything.json"
    done = CliRunner().invoke(cli, ["replay", str(history)])
    assert done.exit_code == 1
    assert "does not replay" in done.output and "Do not deploy" in done.output
    assert "workflow.patched" in done.output


async def test_the_running_incidents_of_a_namespace_replay(
    dev_env: WorkflowEnvironment,
    pool: Pool,
    mail: MailCatcher,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with running_worker(dev_env.client, pool, mail) as h:
        ids = [
            await h.service.start_incident(school_id=world.school.id, summary="x", created_by=None)
            for _ in range(2)
        ]
        for incident_id in ids:
            await wait_open(h.service, incident_id, Step.support)
        # The default query (Regie's running workflows) is one the server understands.
        assert (await dev_env.client.count_workflows(replay_module.RUNNING)).count >= 2
        query = " OR ".join(f"WorkflowId = '{incident_workflow_id(i)}'" for i in ids)
        report = await replay_module.replay_running(dev_env.client, query=query)
        assert (report.replayed, report.failures) == (2, [])

        monkeypatch.setattr(replay_module, "ALL_WORKFLOWS", [ReorderedIncidentWorkflow])
        broken = await replay_module.replay_running(dev_env.client, query=query)
        assert broken.replayed == 2
        assert {w for w, _ in broken.failures} == {incident_workflow_id(i) for i in ids}
        for incident_id in ids:
            await h.service.cancel(incident_id=incident_id, actor_id=None, reason="test")
