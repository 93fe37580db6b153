"""The baseline's worker, in a process of its own like Regie's: `python -m bench.bare_worker`.

It runs as Regie's worker does: the same workflow runner (WORKER_SANDBOX,
regie.worker.workflow_runner), the same event loop, its start-up objects frozen. So the ratio
compares Regie with Temporal alone, not one process's tuning with another's.
"""

import sys

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from bench.bare import BareWorkflow, bare_step
from regie.event_loop import run_fast
from regie.settings import Settings
from regie.startup_gc import freeze_startup_objects
from regie.worker import workflow_runner


async def serve(address: str, task_queue: str) -> None:
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[BareWorkflow],
        activities=[bare_step],
        workflow_runner=workflow_runner(sandboxed=Settings().worker_sandbox),
    )
    freeze_startup_objects()
    await worker.run()


if __name__ == "__main__":
    run_fast(serve(sys.argv[1], sys.argv[2]))
