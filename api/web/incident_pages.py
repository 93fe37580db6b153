"""The incident page: the plan of eight steps, linked incidents, what people report, the timeline.

Access is asked of `api.access` exactly as the JSON API does, and every view is written to
the audit log like the API's reads. Auditors read the history only, so they get the timeline
and nothing else. The page shows staff names and references, never a pupil's name, a summary
or a note: the audit log holds ids and codes only, and names are looked up in the staff table.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.access import Action, incident_for, visible
from api.deps import Db, Rt, Service
from api.history import incident_history
from api.principal import Principal
from api.routes.incidents import plan_of, record_access
from api.web.i18n import Lang, event_sentence, month_name, t, temporal_sentence
from api.web.session import PageUser, check_csrf, csrf_token
from api.web.templating import SCHOOL_TZ, language, render
from domain.steps import STEPS, Step, TaskKind, main_kind, title
from regie.service import Refused
from store import audit, directory, incidents, overview, tasks
from store.audit import AuditEvent
from store.directory import Conn
from store.incidents import Incident
from store.tasks import TaskRow

router = APIRouter(include_in_schema=False)

_STEP_KEYS = frozenset(step.value for step in Step)

# The events a person can report on the page, and the access each one needs.
EVENT_ACTIONS: dict[str, Action] = {
    "media_inquiry": Action.signal,
    "new_information": Action.signal,
    "cancel": Action.cancel,
}


@dataclass(frozen=True)
class OpenTask:
    id: str
    title: str
    holder: str
    due_at: datetime | None
    overdue: bool
    escalated: bool


@dataclass(frozen=True)
class PlanStep:
    number: int
    title: str
    status: str
    overdue: bool
    escalated: bool
    open_tasks: list[OpenTask] = field(default_factory=list)


@dataclass(frozen=True)
class LinkedLine:
    id: str
    reference: str
    school_name: str
    status: str
    reachable: bool  # only a link when this person may open it; else the reference as text


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    when: str
    sentence: str
    kind: str


def _lang(request: Request, who: Principal) -> Lang:
    return language(request, who.language)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
async def incident_page(
    request: Request, incident_id: str, who: PageUser, conn: Db, recorded: str = ""
) -> Response:
    return await _incident_response(
        request, who, conn, incident_id, recorded=recorded in EVENT_ACTIONS
    )


@router.post("/incidents/{incident_id}/events", response_class=HTMLResponse)
async def incident_event(
    request: Request,
    incident_id: str,
    who: PageUser,
    conn: Db,
    svc: Service,
    csrf: str = Form(""),
    event: str = Form(""),
    text: str = Form("", max_length=2000),
) -> Response:
    check_csrf(request, who, csrf)
    lang = _lang(request, who)
    action = EVENT_ACTIONS.get(event)
    if action is None:
        raise HTTPException(422, "event: choose media_inquiry, new_information or cancel")
    incident = await incident_for(conn, who, incident_id, action)
    if incident.status != "open":
        raise HTTPException(409, t("incident_not_open", lang))
    if event == "cancel" and not text.strip():
        # Checked here as well as by the service, so the page can keep what was typed.
        return await _incident_response(
            request, who, conn, incident_id, errors={event: t("reason_required", lang)},
            typed={event: text}, status_code=422,
        )  # fmt: skip
    await conn.commit()  # the service writes with its own connection
    try:
        if event == "media_inquiry":
            await svc.media_inquiry(incident_id=incident.id, actor_id=who.staff_id, text=text)
        elif event == "new_information":
            await svc.new_information(incident_id=incident.id, actor_id=who.staff_id, text=text)
        else:
            await svc.cancel(incident_id=incident.id, actor_id=who.staff_id, reason=text)
    except Refused as refused:
        return await _incident_response(
            request, who, conn, incident_id, errors={event: refused.message},
            typed={event: text}, status_code=422,
        )  # fmt: skip
    # The workflow acts on the signal a moment later; the page says so after the redirect.
    return RedirectResponse(f"/incidents/{incident.id}?recorded={event}", status_code=303)


async def _incident_response(
    request: Request,
    who: Principal,
    conn: Conn,
    incident_id: str,
    *,
    recorded: bool = False,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    lang = _lang(request, who)
    full = not who.reads_history_only
    incident = await incident_for(conn, who, incident_id, Action.view if full else Action.history)
    await record_access(
        conn, incident, who.staff_id, "incident_viewed" if full else "history_viewed"
    )
    rows = await tasks.tasks_of_incident(conn, incident_id=incident.id)
    events = await audit.events_of_incident(conn, incident_id=incident.id)
    names = await overview.staff_names(
        conn, staff_ids=[*_staff_in(events), *(r.assignee_id for r in rows if r.assignee_id)]
    )
    context: dict[str, Any] = {
        "full": full,
        "plan": [],
        "linked": [],
        "may_signal": False,
        "may_cancel": False,
    }
    if full:
        is_open = incident.status == "open"
        context.update(
            plan=_plan(rows, names, lang),
            linked=await _linked(conn, who, incident),
            may_signal=is_open and await _may(conn, who, incident.id, Action.signal),
            may_cancel=is_open and await _may(conn, who, incident.id, Action.cancel),
        )
    return render(
        request,
        "incident.html",
        lang=lang,
        status_code=status_code,
        user=who,
        csrf=csrf_token(request, who),
        incident=incident,
        school_name=await directory.school_name(conn, school_id=incident.school_id),
        timeline=await _timeline(conn, events, rows, names, lang),
        recorded=recorded,
        errors=errors or {},
        typed=typed or {},
        **context,
    )


async def _may(conn: Conn, who: Principal, incident_id: str, action: Action) -> bool:
    """Whether `api.access` allows this action; asked of it so the rules stay in one place."""
    try:
        await incident_for(conn, who, incident_id, action)
    except HTTPException:
        return False
    return True


def _plan(rows: list[TaskRow], names: dict[str, str], lang: Lang) -> list[PlanStep]:
    now = datetime.now(UTC)
    plan = []
    for step, status, of_step in plan_of(rows):
        open_tasks = [
            OpenTask(
                id=r.id,
                title=title(TaskKind(r.kind), lang),
                holder=names.get(r.assignee_id or "", ""),
                due_at=r.due_at,
                overdue=r.due_at is not None and r.due_at < now,
                escalated=r.escalation_level > 0,
            )
            for r in of_step
            if r.status == "open"
        ]
        plan.append(
            PlanStep(
                number=STEPS[step].number,
                title=title(main_kind(step), lang),
                status=status.value,
                overdue=any(task.overdue for task in open_tasks),
                escalated=any(task.escalated for task in open_tasks),
                open_tasks=open_tasks,
            )
        )
    return plan


async def _linked(conn: Conn, who: Principal, incident: Incident) -> list[LinkedLine]:
    lines = []
    for other in await overview.linked_incidents(conn, incident_id=incident.id):
        row = await incidents.get_incident(conn, incident_id=other.id)
        reachable = row is not None and await visible(conn, who, row)
        lines.append(
            LinkedLine(other.id, other.reference, other.school_name, other.status, reachable)
        )
    return lines


def _staff_in(events: list[AuditEvent]) -> list[str]:
    """Every staff id an event mentions: its actor, and the person a task went to."""
    ids = []
    for event in events:
        if event.actor_id:
            ids.append(event.actor_id)
        for key in ("assignee", "to", "from"):
            value = event.detail.get(key)
            if isinstance(value, str) and value:
                ids.append(value)
    return ids


async def _timeline(
    conn: Conn,
    events: list[AuditEvent],
    rows: list[TaskRow],
    names: dict[str, str],
    lang: Lang,
) -> list[TimelineLine]:
    task_titles = {r.id: title(TaskKind(r.kind), lang) for r in rows}
    linked_ids = [
        str(e.detail["linked_incident"]) for e in events if e.detail.get("linked_incident")
    ]
    refs = await overview.references(conn, incident_ids=linked_ids)
    someone = "Regie"  # an event without a person was done by Regie itself
    lines = []
    for event in events:
        detail = event.detail
        task = task_titles.get(event.task_id or "")
        if task is None and event.step in _STEP_KEYS:
            task = title(main_kind(Step(event.step)), lang)
        person = next(
            (names[str(detail[k])] for k in ("to", "assignee") if str(detail.get(k)) in names),
            someone,
        )
        sentence = event_sentence(
            event.kind,
            lang,
            actor=names.get(event.actor_id or "", someone),
            task=task or "",
            person=person,
            level=str(detail.get("level", "")),
            linked=refs.get(str(detail.get("linked_incident", "")), ""),
        )
        lines.append(TimelineLine(event.at, _when(event.at, lang), sentence, event.kind))
    return lines


@dataclass(frozen=True)
class PrintLine:
    at: datetime
    when: str
    who: str
    what: str
    step: str
    source: str
    kind: str


@router.get("/incidents/{incident_id}/history/print", response_class=HTMLResponse)
async def history_print(
    request: Request, incident_id: str, who: PageUser, conn: Db, rt: Rt
) -> Response:
    """The incident's history on paper: the audit log and Temporal's events, Dutch first.

    The same access as the history API (auditors included); each print is logged as an export.
    """
    lang = _lang(request, who)
    incident = await incident_for(conn, who, incident_id, Action.history)
    await record_access(conn, incident, who.staff_id, "history_exported", {"format": "print"})
    rows = await tasks.tasks_of_incident(conn, incident_id=incident.id)
    events = await audit.events_of_incident(conn, incident_id=incident.id)
    names = await overview.staff_names(
        conn,
        staff_ids=[
            who.staff_id,
            *_staff_in(events),
            *(r.assignee_id for r in rows if r.assignee_id),
        ],
    )
    sentences = iter(await _timeline(conn, events, rows, names, lang))
    history = await incident_history(rt.temporal, incident.id, events)
    step_titles = {step.value: title(main_kind(step), lang) for step in Step}
    lines = []
    for item in history.items:
        if item.source == "audit":
            sentence = next(sentences).sentence
            person = names.get(item.actor or "", "Regie")
        else:
            sentence = temporal_sentence(item.kind, item.detail, lang)
            person = "Temporal"
        lines.append(
            PrintLine(
                at=item.at,
                when=_when(item.at, lang),
                who=person,
                what=sentence,
                step=step_titles.get(item.step or "", ""),
                source=t(f"source_{item.source}", lang),
                kind=item.kind,
            )
        )
    return render(
        request,
        "history_print.html",
        lang=lang,
        user=who,
        csrf=csrf_token(request, who),
        incident=incident,
        school_name=await directory.school_name(conn, school_id=incident.school_id),
        lines=lines,
        temporal_included=history.temporal_history == "included",
        printed_by=t("printed_by", lang).format(
            who=names.get(who.staff_id, who.staff_id), when=_when(datetime.now(UTC), lang)
        ),
    )


def _when(moment: datetime, lang: Lang) -> str:
    """'3 mrt 2026 14:05:09', in the schools' time zone: seconds matter to an auditor."""
    local = moment.astimezone(SCHOOL_TZ)
    return f"{local.day} {month_name(local.month, lang)} {local.year} {local:%H:%M:%S}"
