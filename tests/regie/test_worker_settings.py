"""The worker runs as many activities at once as its settings say (WORKER_ACTIVITY_SLOTS)."""

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.deps import Deps
from notifications.smtp import SmtpSettings
from regie.settings import DEFAULT_ACTIVITY_SLOTS, Settings
from regie.worker import build_worker
from store.db import Pool


def _deps(pool: Pool) -> Deps:
    smtp = SmtpSettings.from_url("smtp://127.0.0.1:1", sender="regie@example.org")
    return Deps(pool=pool, smtp=smtp, base_url="http://x", secret_key="k" * 32)


def test_the_slots_default_to_many_and_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().worker_activity_slots == DEFAULT_ACTIVITY_SLOTS == 400
    monkeypatch.setenv("WORKER_ACTIVITY_SLOTS", "12")
    assert Settings().worker_activity_slots == 12
    monkeypatch.setenv("WORKER_ACTIVITY_SLOTS", "0")
    with pytest.raises(ValueError, match="worker_activity_slots"):
        Settings()


async def test_the_worker_takes_its_slots(dev_env: WorkflowEnvironment, pool: Pool) -> None:
    default = build_worker(dev_env.client, _deps(pool), task_queue="slots-default")
    assert default.config()["max_concurrent_activities"] == DEFAULT_ACTIVITY_SLOTS
    chosen = build_worker(dev_env.client, _deps(pool), task_queue="slots-7", activity_slots=7)
    assert chosen.config()["max_concurrent_activities"] == 7
