"""A careless change to the incident workflow, for the replay gate's test: a pause before the
first activity, not behind workflow.patched. Its own module: the workflow sandbox imports it."""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import IncidentInput, IncidentResult


@workflow.defn(name="IncidentWorkflow")
class ReorderedIncidentWorkflow:
    @workflow.run
    async def run(self, inp: IncidentInput) -> IncidentResult:
        await workflow.sleep(timedelta(seconds=1))
        return IncidentResult(incident_id=inp.incident_id, status="open", tasks=0)
