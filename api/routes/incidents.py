"""Incidents: start one, list, read, its history, and the events people report."""

import base64
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status

from api.access import Action, forbidden, incident_for, may_create_at
from api.auth import CurrentUser
from api.deps import Db, Rt, Service, reads_only
from api.history import as_csv, incident_history
from api.schemas import (
    History,
    IncidentOut,
    IncidentPage,
    IncidentSummary,
    NewIncident,
    OptionalText,
    Reason,
    StepOut,
    TaskBrief,
)
from domain.plan import StepStatus
from domain.steps import STEP_ORDER, Step, main_kind
from store import audit, directory, incidents, tasks
from store.directory import Conn
from store.incidents import Incident
from store.tasks import TaskRow

router = APIRouter(prefix="/api/incidents", tags=["incidents"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_incident(
    body: NewIncident, who: CurrentUser, conn: Db, svc: Service
) -> IncidentOut:
    board = await directory.school_board(conn, school_id=body.school_id)
    if board != who.board_id:
        raise HTTPException(422, "school_id: no such school in your board")
    if not may_create_at(who, body.school_id):
        raise forbidden(
            "only the school's coordinator or leader, or the board's adviser, opens one"
        )
    await conn.commit()  # the service writes with its own connection
    incident_id = await svc.start_incident(
        school_id=body.school_id, summary=body.summary, created_by=who.staff_id
    )
    incident = await incidents.get_incident(conn, incident_id=incident_id)
    assert incident is not None
    await record_access(conn, incident, who.staff_id, "incident_created")
    return await _read(conn, incident)


@router.get("")
@reads_only
async def list_incidents(
    who: CurrentUser,
    conn: Db,
    school_id: str | None = None,
    status_: Annotated[
        str | None, Query(alias="status", pattern="^(open|closed|cancelled)$")
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> IncidentPage:
    if who.task_scope is not None:
        raise forbidden("this sign-in is for one task only; sign in with your e-mail for more")
    rows = await incidents.list_visible(
        conn,
        board_id=who.board_id,
        board_wide=who.sees_whole_board,
        full_school_ids=who.full_school_ids(),
        staff_id=who.staff_id,
        school_id=school_id,
        status=status_,
        after=_decode_cursor(cursor),
        limit=limit + 1,
    )
    page, more = rows[:limit], len(rows) > limit
    return IncidentPage(
        items=[
            IncidentSummary(
                id=r.id,
                reference=r.reference,
                school_id=r.school_id,
                status=r.status,
                created_at=r.created_at,
            )
            for r in page
        ],
        next_cursor=_encode_cursor(page[-1].created_at, page[-1].id) if more else None,
    )


@router.get("/{incident_id}")
async def get_incident(incident_id: str, who: CurrentUser, conn: Db) -> IncidentOut:
    incident = await incident_for(conn, who, incident_id, Action.view)
    await record_access(conn, incident, who.staff_id, "incident_viewed")
    return await _read(conn, incident)


@router.get(
    "/{incident_id}/history",
    response_model=History,
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with a header"}},
)
async def get_history(
    incident_id: str,
    who: CurrentUser,
    conn: Db,
    rt: Rt,
    fmt: Annotated[str | None, Query(alias="format", pattern="^(json|csv)$")] = None,
) -> History | Response:
    """The audit log merged with the workflow's Temporal history, by time.

    `format=json` (the default) or `format=csv`; an explicit format is an export and is
    logged as `history_exported`, a plain read as `history_viewed`.
    """
    incident = await incident_for(conn, who, incident_id, Action.history)
    if fmt is None:
        await record_access(conn, incident, who.staff_id, "history_viewed")
    else:
        await record_access(
            conn, incident, who.staff_id, "history_exported", detail={"format": fmt}
        )
    events = await audit.events_of_incident(conn, incident_id=incident.id)
    history = await incident_history(rt.temporal, incident.id, events)
    if fmt == "csv":
        return Response(
            as_csv(history),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{incident.reference}-history.csv"'
            },
        )
    return history


@router.post("/{incident_id}/media-inquiry", status_code=status.HTTP_202_ACCEPTED)
async def media_inquiry(
    incident_id: str, who: CurrentUser, conn: Db, svc: Service, body: OptionalText | None = None
) -> dict[str, str]:
    incident = await _open_incident(conn, who, incident_id, Action.signal)
    await svc.media_inquiry(incident_id=incident.id, actor_id=who.staff_id, text=_text(body))
    return {"status": "recorded"}


@router.post("/{incident_id}/new-information", status_code=status.HTTP_202_ACCEPTED)
async def new_information(
    incident_id: str, who: CurrentUser, conn: Db, svc: Service, body: OptionalText | None = None
) -> dict[str, str]:
    incident = await _open_incident(conn, who, incident_id, Action.signal)
    await svc.new_information(incident_id=incident.id, actor_id=who.staff_id, text=_text(body))
    return {"status": "recorded"}


@router.post("/{incident_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel(
    incident_id: str, body: Reason, who: CurrentUser, conn: Db, svc: Service
) -> dict[str, str]:
    incident = await _open_incident(conn, who, incident_id, Action.cancel)
    await svc.cancel(incident_id=incident.id, actor_id=who.staff_id, reason=body.reason)
    return {"status": "cancelling"}


async def _open_incident(conn: Conn, who: Any, incident_id: str, action: Action) -> Incident:
    incident = await incident_for(conn, who, incident_id, action)
    if incident.status != "open":
        raise HTTPException(409, f"the incident is {incident.status}; nothing can change")
    await conn.commit()
    return incident


def _text(body: OptionalText | None) -> str:
    return body.text if body else ""


def plan_of(rows: list[TaskRow]) -> list[tuple[Step, StepStatus, list[TaskRow]]]:
    """Each step in plan order with its status and its tasks, from the task read model.

    Shared with the incident web page, so the page and the API never disagree on a status.
    A step's status is its main task's latest; any open task of the step makes it open.
    """
    plan = []
    for step in STEP_ORDER:
        of_step = [r for r in rows if r.step == step.value]
        main = [r for r in of_step if r.kind == main_kind(step).value]
        status_ = StepStatus(main[-1].status) if main else StepStatus.waiting
        if any(r.status == "open" for r in of_step):
            status_ = StepStatus.open
        plan.append((step, status_, of_step))
    return plan


async def _read(conn: Conn, incident: Incident) -> IncidentOut:
    rows = await tasks.tasks_of_incident(conn, incident_id=incident.id)
    steps = []
    for step, status_, of_step in plan_of(rows):
        steps.append(
            StepOut(
                step=step,
                status=status_,
                tasks=[
                    TaskBrief(
                        id=r.id,
                        kind=r.kind,
                        status=r.status,
                        assignee_id=r.assignee_id,
                        due_at=r.due_at,
                    )
                    for r in of_step
                    if r.status not in ("waiting", "skipped")
                ],
            )
        )
    return IncidentOut(
        id=incident.id,
        reference=incident.reference,
        school_id=incident.school_id,
        status=incident.status,
        steps=steps,
        linked_incident_ids=await incidents.linked_ids(conn, incident_id=incident.id),
        created_at=incident.created_at,
    )


async def record_access(
    conn: Conn, incident: Incident, actor: str, kind: str, detail: dict[str, Any] | None = None
) -> None:
    """Every read or change of an incident is logged with the person."""
    await audit.record(
        conn,
        key=f"{kind}:{uuid.uuid4()}",
        kind=kind,
        at=datetime.now(UTC),
        incident_id=incident.id,
        actor_id=actor,
        detail=detail,
    )


def _encode_cursor(created_at: datetime, incident_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{incident_id}".encode()).decode()


def _decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        at, _, incident_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        if "\x00" in incident_id:  # no id holds one, and PostgreSQL refuses it in a query
            raise ValueError(incident_id)
        return datetime.fromisoformat(at), incident_id
    except ValueError:
        raise HTTPException(422, "cursor: use the next_cursor of the previous page") from None
