"""The Temporal worker: the incident workflow and every activity, on one task queue."""

from collections.abc import Callable
from typing import Any

from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities.deps import Deps
from activities.registry import all_activities
from regie.build import deployment_config, package_build_id
from regie.heartbeats import Heartbeats
from regie.settings import DEFAULT_ACTIVITY_SLOTS, DEFAULT_CACHED_WORKFLOWS
from workflows.registry import ALL_WORKFLOWS


def workflow_runner(*, sandboxed: bool) -> WorkflowRunner:
    """Temporal's sandbox, or workflow code run as it is.

    The sandbox re-imports the workflow modules for each run and executes every activation
    (and every payload's serialization context) through `exec` behind import guards: on the
    bench that is a quarter of the worker's CPU per incident (0.40 s against 0.29 s) and
    40 ms of an answer's way to the next e-mail (p50 189 ms against 147 ms; bench/RESULTS.md).
    It guards against workflow code that reads the clock, the network or global state.
    Regie's workflow tests and replays run inside it, so such code fails there, before a
    release; the production worker runs without it unless WORKER_SANDBOX is set.
    """
    return SandboxedWorkflowRunner() if sandboxed else UnsandboxedWorkflowRunner()


def build_worker(
    client: Client,
    deps: Deps,
    *,
    task_queue: str,
    replace: dict[str, Callable[..., Any]] | None = None,
    build_id: str | None = None,
    max_cached_workflows: int = DEFAULT_CACHED_WORKFLOWS,
    activity_slots: int = DEFAULT_ACTIVITY_SLOTS,
    sandboxed: bool = True,
) -> Worker:
    """`replace` swaps activities by their Temporal name; tests use it to simulate crashes.

    The worker reports `build_id` (default: the package version) to Temporal without
    versioned routing; regie/build.py says why.

    `max_cached_workflows`: how many running workflows the worker keeps in memory. An
    incident waits on people for days; one that is not cached is replayed from its history
    when its next answer or timer comes (milliseconds), so the cache bounds memory, not work.

    `activity_slots`: activities run at once (regie/settings.py says why so many).

    `sandboxed`: run workflow code in Temporal's sandbox (`workflow_runner`). On by default,
    as the tests build their workers; `regie worker` follows WORKER_SANDBOX.
    """
    activities = all_activities(deps)
    if replace:
        # Regie's activities are named after their methods (no explicit names).
        activities = [replace.get(a.__name__, a) for a in activities]
    return Worker(
        client,
        task_queue=task_queue,
        workflows=ALL_WORKFLOWS,
        activities=activities,
        interceptors=[Heartbeats()],
        deployment_config=deployment_config(build_id or package_build_id()),
        max_cached_workflows=max_cached_workflows,
        max_concurrent_activities=activity_slots,
        workflow_runner=workflow_runner(sandboxed=sandboxed),
    )
