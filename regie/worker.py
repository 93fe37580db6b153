"""The Temporal worker: the incident workflow and every activity, on one task queue."""

from collections.abc import Callable
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from activities.deps import Deps
from activities.registry import all_activities
from regie.build import deployment_config, package_build_id
from regie.heartbeats import Heartbeats
from regie.settings import DEFAULT_ACTIVITY_SLOTS, DEFAULT_CACHED_WORKFLOWS
from workflows.registry import ALL_WORKFLOWS


def build_worker(
    client: Client,
    deps: Deps,
    *,
    task_queue: str,
    replace: dict[str, Callable[..., Any]] | None = None,
    build_id: str | None = None,
    max_cached_workflows: int = DEFAULT_CACHED_WORKFLOWS,
    activity_slots: int = DEFAULT_ACTIVITY_SLOTS,
) -> Worker:
    """`replace` swaps activities by their Temporal name; tests use it to simulate crashes.

    The worker reports `build_id` (default: the package version) to Temporal without
    versioned routing; regie/build.py says why.

    `max_cached_workflows`: how many running workflows the worker keeps in memory. An
    incident waits on people for days; one that is not cached is replayed from its history
    when its next answer or timer comes (milliseconds), so the cache bounds memory, not work.

    `activity_slots`: activities run at once (regie/settings.py says why so many).
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
    )
