"""Short fault scenarios: every incident closes, every task e-mail arrives once, nothing is lost.

Each scenario brings up its own PostgreSQL, Temporal dev server, SMTP catcher and worker
process (bench/faults), because it kills or restarts them; `python -m bench.faults --full`
runs the same scenarios with more incidents and a minute of SMTP outage.
"""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bench.faults.drive import TASKS_PER_INCIDENT
from bench.faults.scenarios import FAULTS, Stack, own_stack, run_scenario

INCIDENTS = 6
OUTAGE_SECONDS = 2.0
# Well under the activities' one-minute start-to-close timeout: an activity that was running in
# the killed worker must be retried after its heartbeat timeout (10 s), not after a minute.
TIMEOUT_SECONDS = 50.0


@pytest_asyncio.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """One set of servers for the four scenarios; each restarts what it breaks."""
    async with own_stack(tmp_path_factory.mktemp("faults")) as made:
        yield made


@pytest.mark.parametrize("scenario", list(FAULTS))
async def test_nothing_is_lost_or_sent_twice(stack: Stack, scenario: str) -> None:
    counts = await run_scenario(
        stack, scenario, incidents=INCIDENTS, outage=OUTAGE_SECONDS, timeout=TIMEOUT_SECONDS
    )
    print(counts.line())
    total = INCIDENTS * TASKS_PER_INCIDENT
    # The fault hit mid-burst: some tasks were done before it, most after.
    assert 0 < counts.fault_at_task < total
    assert counts.failures == []
    assert counts.incidents_closed == INCIDENTS
    assert counts.tasks_done == total
    assert counts.duplicate_emails == 0
    assert counts.tasks_without_email == 0
    assert counts.task_emails == total == counts.mail_log_sent
    assert counts.ok
