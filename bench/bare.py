"""The baseline: a workflow with Regie's number of activities and updates and nothing else.

It is what the same dev server and SDK cost without Regie's logic, database or e-mail. The
activities are split into stages: stage 0 runs at the start (as Regie loads, plans and opens
its first tasks), stage n after the n-th update. Each update is validated (the answer must be
the next one expected) and accepted at once, like Regie's task answers; its handler then
waits for its stage's activities, so one update gives two figures: the plain update round
trip (accepted) and the round trip through the activities it triggers (completed), which is
the bare counterpart of "answer to next e-mail".
"""

from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.common import RetryPolicy

RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))


class BareInput(BaseModel):
    run_id: str
    stages: list[int]  # activities per stage; stage 0 runs at the start
    # Local activities per stage: Regie runs its database-only bookkeeping as local
    # activities, so the baseline runs as many, on the same worker, in the same stages.
    local_stages: list[int] = []


class BareStep(BaseModel):
    run_id: str
    stage: int
    number: int


class BareAnswer(BaseModel):
    number: int


@activity.defn
async def bare_step(step: BareStep) -> BareStep:
    return step


@workflow.defn
class BareWorkflow:
    @workflow.init
    def __init__(self, inp: BareInput) -> None:
        self._answered = 0
        self._done = -1

    @workflow.run
    async def run(self, inp: BareInput) -> int:
        for stage, count in enumerate(inp.stages):
            if stage:
                await self._answer(stage)
            local = inp.local_stages[stage] if stage < len(inp.local_stages) else 0
            for number in range(local):
                await workflow.execute_local_activity(
                    bare_step,
                    BareStep(run_id=inp.run_id, stage=stage, number=number),
                    start_to_close_timeout=timedelta(seconds=15),
                    retry_policy=RETRY,
                )
            for number in range(count):
                await workflow.execute_activity(
                    bare_step,
                    BareStep(run_id=inp.run_id, stage=stage, number=number),
                    start_to_close_timeout=timedelta(seconds=60),
                    retry_policy=RETRY,
                )
            self._done = stage
        return self._done

    async def _answer(self, number: int) -> None:
        await workflow.wait_condition(lambda: self._answered >= number)

    @workflow.update
    async def answer(self, answer: BareAnswer) -> int:
        self._answered = answer.number
        await workflow.wait_condition(lambda: self._done >= answer.number)
        return answer.number

    @answer.validator
    def _check(self, answer: BareAnswer) -> None:
        if answer.number != self._answered + 1:
            raise ValueError(f"expected answer {self._answered + 1}, got {answer.number}")
