"""Report: prepare the hand-off text for the reporting bodies (words only, never an image)."""

from temporalio import activity

from activities.deps import Deps
from domain.report_handoff import handoff_text
from store import audit, documents, incidents
from workflows.contracts import ReportHandoffInput


class ReportActivities:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @activity.defn
    async def prepare_handoff(self, inp: ReportHandoffInput) -> None:
        task = inp.task
        async with self._deps.pool.connection() as conn:
            incident = await incidents.get_incident(conn, incident_id=task.incident_id)
            assert incident is not None
            text = handoff_text(
                routes=inp.routes, urgent=inp.urgent, reference=incident.reference, language="nl"
            )
            await documents.upsert(
                conn,
                document_id=f"handoff:{task.task_id}",
                incident_id=task.incident_id,
                task_id=task.task_id,
                kind="report_handoff",
                body=text,
                status="prepared",
            )
            await audit.record(
                conn,
                key=f"report_handoff:{task.task_id}",
                kind="report_handoff_prepared",
                at=inp.at,
                incident_id=task.incident_id,
                task_id=task.task_id,
                step=task.step.value,
                detail={"routes": [r.value for r in inp.routes], "urgent": inp.urgent},
            )
