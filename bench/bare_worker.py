"""The baseline's worker, in a process of its own like Regie's: `python -m bench.bare_worker`.

It runs workflow code the way Regie's worker does (WORKER_SANDBOX, regie.worker.workflow_runner),
so the ratio compares Regie with Temporal alone, not one runner with another.
"""

import asyncio
import sys

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from bench.bare import BareWorkflow, bare_step
from regie.settings import Settings
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
    await worker.run()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], sys.argv[2]))
