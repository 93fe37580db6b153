"""The incident workflow with one activity dropped: what a careless change looks like, for the
replay test. Its own module, because the workflow sandbox imports it afresh for every run: the
contracts come through the passthrough, as workflows/incident.py takes them, so both see the
same classes."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import IncidentInput, IncidentResult
from workflows.incident import IncidentWorkflow


@workflow.defn(name="IncidentWorkflow")
class CarelessIncidentWorkflow(IncidentWorkflow):
    @workflow.run
    async def run(self, inp: IncidentInput) -> IncidentResult:
        return await super().run(inp)

    async def _after_assessment(self, *args: object, **kwargs: object) -> None:
        return None  # no linked school opened, no outside school contacted
