"""The incident as a whole: its context, its status, linked incidents and the audit log."""

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import metrics
from activities.deps import Deps
from domain.roles import Role
from store import audit, directory, incidents
from store.db import reading
from workflows.contracts import (
    AuditInput,
    IncidentContext,
    IncidentRef,
    IncidentStatusInput,
    LinkedIncident,
    LinkedIncidentInput,
)
from workflows.refusals import ActivityFailure


class IncidentActivities:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @activity.defn
    async def load_context(self, ref: IncidentRef) -> IncidentContext:
        """Who holds each role at the school and the board's deadlines, as ids and durations."""
        async with reading(self._deps.pool) as conn:
            holders = await directory.role_holders(conn, school_id=ref.school_id)
            deadlines = await directory.deadline_settings(conn, board_id=ref.board_id)
        if Role.coordinator not in holders and Role.board_safeguarding not in holders:
            raise ApplicationError(
                f"school {ref.school_id} has no coordinator and its board no safeguarding "
                "adviser; add one with `regie staff import`, then the incident continues",
            )
        return IncidentContext(holders=holders, deadlines=deadlines)

    @activity.defn
    async def set_status(self, inp: IncidentStatusInput) -> None:
        async with self._deps.pool.connection() as conn:
            await incidents.set_status(
                conn, incident_id=inp.incident_id, status=inp.status, at=inp.at
            )
            await audit.record(
                conn,
                key=f"incident_{inp.status}:{inp.incident_id}",
                kind=f"incident_{inp.status}",
                at=inp.at,
                incident_id=inp.incident_id,
                actor_id=inp.actor_id,
            )
        metrics.record(metrics.INCIDENTS_ENDED, status=inp.status)

    @activity.defn
    async def record_audit(self, inp: AuditInput) -> None:
        async with self._deps.pool.connection() as conn:
            await audit.record(
                conn,
                key=inp.key,
                kind=inp.kind,
                at=inp.at,
                incident_id=inp.incident_id,
                task_id=inp.task_id,
                step=inp.step.value if inp.step else None,
                actor_id=inp.actor_id,
                detail=dict(inp.detail),
            )

    @activity.defn
    async def open_linked_incident(self, inp: LinkedIncidentInput) -> LinkedIncident:
        """An incident at another school of the board whose pupils are in the app groups."""
        async with self._deps.pool.connection() as conn:
            origin = await incidents.get_incident(conn, incident_id=inp.origin_incident_id)
            board = await directory.school_board(conn, school_id=inp.school_id)
            if origin is None or board != origin.board_id:
                raise ApplicationError(
                    f"school {inp.school_id} is not a school of this board",
                    type=ActivityFailure.not_found.value,
                    non_retryable=True,
                )
            linked_id = await incidents.find_linked(
                conn, origin_incident_id=origin.id, school_id=inp.school_id
            )
            if linked_id is None:
                linked = await incidents.create_incident(
                    conn,
                    school_id=inp.school_id,
                    summary="",
                    created_by=None,
                    origin_incident_id=origin.id,
                )
                linked_id = linked.id
            await incidents.link(conn, incident_id=origin.id, other_id=linked_id)
            for incident_id, other in ((origin.id, linked_id), (linked_id, origin.id)):
                await audit.record(
                    conn,
                    key=f"incident_linked:{incident_id}:{other}",
                    kind="incident_linked",
                    at=inp.at,
                    incident_id=incident_id,
                    detail={"linked_incident": other},
                )
        return LinkedIncident(
            incident_id=linked_id, board_id=origin.board_id, school_id=inp.school_id
        )
