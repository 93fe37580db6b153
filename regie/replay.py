"""The gate before a deploy: replay the histories of running workflows on this build's code.

A release that would not replay a running incident would stall it at its next step (the
worker fails the workflow task over and over). `regie replay` fetches the histories of the
workflows still running in the namespace (or reads exported JSON files) and replays each on
the code of the build it runs in; any nondeterminism fails the command before the deploy.
"""

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.registry import ALL_WORKFLOWS

# Regie's own running workflows: a namespace may hold other applications' workflows too.
RUNNING = "ExecutionStatus = 'Running' AND WorkflowType IN ({})".format(
    ", ".join(f"'{w.__name__}'" for w in ALL_WORKFLOWS)
)


@dataclass
class ReplayReport:
    replayed: int = 0
    # (workflow id, the first line of why it does not replay): ids only, never a payload.
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def replayer() -> Replayer:
    return Replayer(workflows=ALL_WORKFLOWS, data_converter=pydantic_data_converter)


async def replay(histories: AsyncIterator[WorkflowHistory]) -> ReplayReport:
    report = ReplayReport()
    async with replayer().workflow_replay_iterator(histories) as results:
        async for result in results:
            report.replayed += 1
            if result.replay_failure is not None:
                reason = str(result.replay_failure).strip().splitlines() or ["(no message)"]
                report.failures.append((result.history.workflow_id, reason[0][:300]))
    return report


async def replay_running(
    client: Client, *, query: str = RUNNING, limit: int | None = None
) -> ReplayReport:
    """Replay the workflows the query finds (by default: every running one)."""
    return await replay(client.list_workflows(query, limit=limit).map_histories())


async def replay_files(paths: Iterable[Path]) -> ReplayReport:
    """Replay histories exported as JSON (`temporal workflow show --output json`, or the
    histories the tests record under tests/histories/)."""

    async def read() -> AsyncIterator[WorkflowHistory]:
        for path in paths:
            yield WorkflowHistory.from_json(path.stem, path.read_text())

    return await replay(read())
