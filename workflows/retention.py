"""RetentionWorkflow: once a day (Schedule `retention-daily`) erase what is past its term.

The moment that decides what is past its term is the workflow's own time, so a replay and a
time-skipping test see the same; the erasure itself is one idempotent activity.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.retention import RetentionActivities
    from workflows.activity_calls import run_activity
    from workflows.contracts import EraseExpired, ErasureReport, RetentionInput


@workflow.defn
class RetentionWorkflow:
    @workflow.run
    async def run(self, inp: RetentionInput) -> ErasureReport:
        report: ErasureReport = await run_activity(
            RetentionActivities.erase_expired,
            EraseExpired(at=workflow.now(), dry_run=inp.dry_run),
        )
        return report
