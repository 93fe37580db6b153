"""The worker runs as many activities at once as its settings say (WORKER_ACTIVITY_SLOTS)."""

import pytest
from temporalio.testing import WorkflowEnvironment

from notifications.catcher import MailCatcher
from regie.settings import DEFAULT_ACTIVITY_SLOTS, Settings
from regie.worker import build_worker
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
