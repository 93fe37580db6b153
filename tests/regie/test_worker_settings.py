"""The worker runs as many activities at once as its settings say (WORKER_ACTIVITY_SLOTS), and
workflow code in or out of Temporal's sandbox (WORKER_SANDBOX)."""

import uuid
from datetime import UTC, datetime

import pytest
from temporalio import workflow
from temporalio.client import WorkflowFailureError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import (
    RestrictedWorkflowAccessError,
    SandboxedWorkflowRunner,
)

from notifications.catcher import MailCatcher
from regie.settings import DEFAULT_ACTIVITY_SLOTS, Settings
from regie.worker import build_worker, workflow_runner
from store.db import Pool
from tests.fixtures.world import make_deps


def test_the_slots_default_to_many_and_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().worker_activity_slots == DEFAULT_ACTIVITY_SLOTS == 400
    monkeypatch.setenv("WORKER_ACTIVITY_SLOTS", "12")
    assert Settings().worker_activity_slots == 12
    monkeypatch.setenv("WORKER_ACTIVITY_SLOTS", "0")
    with pytest.raises(ValueError, match="worker_activity_slots"):
        Settings()


async def test_the_worker_takes_its_slots(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    deps = make_deps(pool, mail)
    default = build_worker(dev_env.client, deps, task_queue="slots-default")
    assert default.config()["max_concurrent_activities"] == DEFAULT_ACTIVITY_SLOTS
    chosen = build_worker(dev_env.client, deps, task_queue="slots-7", activity_slots=7)
    assert chosen.config()["max_concurrent_activities"] == 7


def test_the_production_worker_runs_workflows_outside_the_sandbox_unless_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().worker_sandbox is False
    monkeypatch.setenv("WORKER_SANDBOX", "true")
    assert Settings().worker_sandbox is True


async def test_built_workers_are_sandboxed_unless_told_otherwise(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    # The tests' workers (and `regie dev`'s) keep the sandbox, so workflow code that reads
    # the clock or global state fails in them before it reaches a release.
    deps = make_deps(pool, mail)
    checked = build_worker(dev_env.client, deps, task_queue="sandboxed")
    assert isinstance(checked.config()["workflow_runner"], SandboxedWorkflowRunner)
    fast = build_worker(dev_env.client, deps, task_queue="plain", sandboxed=False)
    assert isinstance(fast.config()["workflow_runner"], UnsandboxedWorkflowRunner)


@workflow.defn(sandboxed=True)
class _ReadsTheClock:
    @workflow.run
    async def run(self) -> str:
        return datetime.now(UTC).isoformat()  # what workflow.now() is for


async def test_the_sandbox_of_the_tests_refuses_a_workflow_that_reads_the_clock(
    dev_env: WorkflowEnvironment,
) -> None:
    async with Worker(
        dev_env.client,
        task_queue="reads-the-clock",
        workflows=[_ReadsTheClock],
        workflow_runner=workflow_runner(sandboxed=True),
        workflow_failure_exception_types=[RestrictedWorkflowAccessError],
    ):
        with pytest.raises(WorkflowFailureError) as failed:
            await dev_env.client.execute_workflow(
                _ReadsTheClock.run,
                id=f"reads-the-clock-{uuid.uuid4()}",
                task_queue="reads-the-clock",
            )
    assert "datetime" in str(failed.value.cause)
