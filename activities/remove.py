"""Remove: the class-wide removal instructions go to the school's mentors."""

from temporalio import activity

from activities.deps import Deps
from activities.notify import send_to_staff
from domain.roles import Role
from notifications.messages import MessageKind
from store import audit, directory, incidents, tasks
from workflows.contracts import RemovalInstructionsInput


class RemoveActivities:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @activity.defn
    async def send_removal_instructions(self, inp: RemovalInstructionsInput) -> None:
        task = inp.task
        async with self._deps.pool.connection() as conn:
            incident = await incidents.get_incident(conn, incident_id=task.incident_id)
            assert incident is not None
            mentors = await directory.staff_with_role(
                conn, school_id=incident.school_id, role=Role.support
            )
            if not mentors:
                row = await tasks.get_task(conn, task_id=task.task_id)
                mentors = [row.assignee_id] if row and row.assignee_id else []
            await audit.record(
                conn,
                key=f"removal_instructions:{task.task_id}",
                kind="removal_instructions_sent",
                at=inp.at,
                incident_id=task.incident_id,
                task_id=task.task_id,
                step=task.step.value,
                detail={"round": inp.round, "mentors": len(mentors)},
            )
        for mentor in mentors:
            await send_to_staff(
                self._deps,
                key=f"removal_instructions:{task.task_id}:{mentor}",
                kind=MessageKind.removal_instructions,
                staff_id=mentor,
                incident_id=task.incident_id,
                task_id=task.task_id,
                task_kind=task.kind,
            )
