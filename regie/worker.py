"""The Temporal worker: the incident workflow and every activity, on one task queue."""

from temporalio.client import Client
from temporalio.worker import Worker

from activities.deps import Deps
from activities.registry import all_activities
from workflows.incident import IncidentWorkflow


def build_worker(client: Client, deps: Deps, *, task_queue: str) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[IncidentWorkflow],
        activities=all_activities(deps),
    )
