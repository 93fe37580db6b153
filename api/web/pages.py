"""The pages for school staff: sign in, my tasks, a task, a new incident."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.access import forbidden, may_create_at, may_reassign, readable_task_and_incident
from api.auth import SESSION_COOKIE
from api.deps import Db, Rt
from api.principal import Principal
from api.routes.oidc import sso_button
from api.routes.signin import SignInOutcome, send_sign_in_link
from api.web.forms import Choices, fields_of, parse, row_count
from api.web.i18n import Lang, t
from api.web.problems import explain, label_of
from api.web.session import PageUser, check_csrf, csrf_token
from api.web.templating import SCHOOL_TZ, language, render
from domain.forms.base import Answer
from domain.forms.registry import answer_model
from domain.guidance import guidance
from domain.policy import REVIEW_FORMS, ReviewTaskKind, review_guidance, review_title
from domain.steps import TASK_KINDS, Step, TaskKind, title
from notifications.letters import render_document
from regie.service import Refused
from store import directory, incidents, policy_reviews, sessions, tasks
from store.directory import Conn
from store.incidents import Incident
from store.tasks import TaskRow

router = APIRouter(include_in_schema=False)


def _lang(request: Request, who: Principal | None = None) -> Lang:
    return language(request, who.language if who else "nl")


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, rt: Rt, next: str = "/") -> Response:
    lang = _lang(request)
    return render(
        request,
        "login.html",
        lang=lang,
        sso_button=sso_button(rt.settings, lang),
        user=None,
        csrf="",
        sent=False,
        throttled=False,
        next_path=next,
    )


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, rt: Rt, conn: Db, email: str = Form(max_length=320)) -> Response:
    outcome = await send_sign_in_link(rt, conn, email.strip(), request=request)
    throttled = outcome is SignInOutcome.throttled
    return render(
        request,
        "login.html",
        lang=_lang(request),
        status_code=429 if throttled else 200,
        sso_button=sso_button(rt.settings, _lang(request)),
        user=None,
        csrf="",
        sent=not throttled,
        throttled=throttled,
        next_path="/",
    )


@router.post("/logout")
async def logout(request: Request, who: PageUser, conn: Db, csrf: str = Form("")) -> Response:
    check_csrf(request, who, csrf)
    if who.session_id:
        await sessions.revoke_session(conn, session_id=who.session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
async def my_tasks(request: Request, who: PageUser, conn: Db) -> Response:
    lang = _lang(request, who)
    rows = await tasks.open_tasks_of(conn, assignee_id=who.staff_id)
    if who.task_scope is not None:
        rows = [r for r in rows if r.id == who.task_scope]
    listed = [await _task_card(conn, row, lang) for row in rows]
    return render(
        request, "my_tasks.html", lang=lang, user=who, csrf=csrf_token(request, who), tasks=listed
    )


async def _task_card(conn: Conn, row: TaskRow, lang: Lang) -> dict[str, Any]:
    work = await _work(conn, row, lang)
    return {
        "id": row.id,
        "title": work.title,
        "school_name": work.school_name,
        "reference": work.reference,
        "due_at": row.due_at,
        "escalation_level": row.escalation_level,
        "incident_id": row.incident_id,
    }


@dataclass(frozen=True)
class Work:
    """What a task belongs to: an incident, or the school's yearly policy review."""

    school_id: str
    board_id: str
    school_name: str
    reference: str
    title: str
    guidance: str
    form: type[Answer]
    previewable: bool
    not_applicable_allowed: bool


async def _work(conn: Conn, task: TaskRow, lang: Lang, incident: Incident | None = None) -> Work:
    """What a task's page and card show around the form. `incident`: the task's incident when
    the caller read it with the task (`readable_task_and_incident`); read here otherwise."""
    if task.review_id is not None:
        review = await policy_reviews.get_review(conn, review_id=task.review_id)
        assert review is not None
        kind = ReviewTaskKind(task.kind)
        school_id = str(review["school_id"])
        return Work(
            school_id=school_id,
            board_id=str(review["board_id"]),
            school_name=await directory.school_name(conn, school_id=school_id),
            reference=("Policy review " if lang == "en" else "Beleidsevaluatie ")
            + str(review["year"]),
            title=review_title(kind, lang),
            guidance=review_guidance(kind, lang),
            form=REVIEW_FORMS[kind],
            previewable=False,
            not_applicable_allowed=False,
        )
    assert task.incident_id is not None
    if incident is None:
        incident = await incidents.get_incident(conn, incident_id=task.incident_id)
    assert incident is not None and incident.id == task.incident_id
    step_kind = TaskKind(task.kind)
    return Work(
        school_id=incident.school_id,
        board_id=incident.board_id,
        school_name=await directory.school_name(conn, school_id=incident.school_id),
        reference=incident.reference,
        title=title(step_kind, lang),
        guidance=guidance(step_kind, lang),
        form=answer_model(step_kind),
        previewable=step_kind in (TaskKind.inform, TaskKind.media),
        not_applicable_allowed=TASK_KINDS[step_kind].not_applicable_allowed,
    )


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
async def task_page(request: Request, task_id: str, who: PageUser, conn: Db) -> Response:
    return await _task_response(request, who, conn, task_id, values={})


@router.post("/tasks/{task_id}", response_class=HTMLResponse)
async def task_action(request: Request, task_id: str, who: PageUser, conn: Db, rt: Rt) -> Response:
    form = await request.form()
    values = {key: [str(v) for v in form.getlist(key)] for key in form}
    check_csrf(request, who, (values.get("csrf") or [""])[0])
    action = (values.get("action") or ["complete"])[0]
    task, incident = await readable_task_and_incident(conn, who, task_id)
    lang = _lang(request, who)
    work = await _work(conn, task, lang, incident)
    await conn.commit()
    specs = fields_of(work.form, lang, await _choices(conn, work))
    answer = parse(specs, values)
    service = rt.service
    try:
        if action == "preview" and work.previewable:
            preview = _preview(work, TaskKind(task.kind), answer, lang)
            return await _task_response(request, who, conn, task_id, values=values, preview=preview)
        if action == "not_applicable":
            result = await service.not_applicable(
                task_id=task_id,
                actor_id=who.staff_id,
                reason=(values.get("reason") or [""])[0],
                known=task,
            )
        elif action == "reassign":
            if not may_reassign(who, task, work.school_id):
                raise forbidden(
                    "only the assignee, the school's coordinator or leader, or the board reassigns"
                )
            result = await service.reassign(
                task_id=task_id,
                actor_id=who.staff_id,
                assignee_id=(values.get("assignee_id") or [""])[0],
            )
            return RedirectResponse("/", status_code=303)
        else:
            result = await service.complete_task(
                task_id=task_id, actor_id=who.staff_id, answer=answer, known=task
            )
    except Refused as refused:
        by_field, general = explain(refused, lang)
        return await _task_response(
            request, who, conn, task_id, values=values, errors=by_field, general=general,
            status_code=422 if refused.code in ("InvalidAnswer", "NotApplicableRefused") else 409,
        )  # fmt: skip
    return await _task_response(request, who, conn, task_id, values={}, result=result)


async def _task_response(
    request: Request,
    who: Principal,
    conn: Conn,
    task_id: str,
    *,
    values: dict[str, list[str]],
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    preview: list[str] | None = None,
    result: Any = None,
    status_code: int = 200,
) -> Response:
    task, incident = await readable_task_and_incident(conn, who, task_id)
    lang = _lang(request, who)
    work = await _work(conn, task, lang, incident)
    specs = fields_of(work.form, lang, await _choices(conn, work))
    mine = task.assignee_id == who.staff_id
    # The school leader told of an overdue task or an unreachable assignee hands it on here.
    hands_on = task.status == "open" and may_reassign(who, task, work.school_id)
    colleagues = await _colleagues(conn, work, task) if hands_on else []
    return render(
        request,
        "task.html",
        lang=lang,
        status_code=status_code,
        user=who,
        csrf=csrf_token(request, who),
        task=task if mine or task.status != "open" else _readonly(task),
        title=work.title,
        school_name=work.school_name,
        reference=work.reference,
        guidance=work.guidance,
        specs=specs,
        values=values,
        rows=lambda spec: row_count(spec, values),
        label_of=lambda where: label_of(where, lang),
        errors=errors or {},
        general_errors=general or [],
        preview=preview,
        previewable=work.previewable,
        result=result,
        step_title=lambda step: title(TaskKind(Step(step).value), lang),
        not_applicable_allowed=work.not_applicable_allowed,
        colleagues=colleagues,
    )


def _readonly(task: TaskRow) -> TaskRow:
    # Someone who sees but does not hold the task gets its state, not its form.
    return replace(task, status="open_elsewhere")


async def _choices(conn: Conn, work: Work) -> Choices:
    schools = await directory.schools_of_board(conn, board_id=work.board_id)
    staff = await directory.staff_of_board(conn, board_id=work.board_id)
    return Choices(
        schools=[(s["id"], s["name"]) for s in schools if s["id"] != work.school_id],
        staff=[(str(s["id"]), str(s["name"])) for s in staff],
    )


async def _colleagues(conn: Conn, work: Work, task: TaskRow) -> list[tuple[str, str]]:
    staff = await directory.staff_of_board(
        conn, board_id=work.board_id, school_ids=[work.school_id]
    )
    return [(str(s["id"]), str(s["name"])) for s in staff if s["id"] != task.assignee_id]


def _preview(work: Work, kind: TaskKind, answer: dict[str, Any], lang: Lang) -> list[str]:
    """The letters or statement as they will be sent, before anyone approves them."""
    today = datetime.now(SCHOOL_TZ).date()
    if kind is TaskKind.inform:
        letters = answer.get("letters") or []
        return [
            render_document(
                "parent_letter",
                text=str(letter.get("text", "")),
                school_name=work.school_name,
                day=today,
                audience=_audience(letter.get("audience")),
                language=lang,
            )
            for letter in letters
        ]
    return [
        render_document(
            "media_statement",
            text=str(answer.get("statement", "")),
            school_name=work.school_name,
            day=today,
            language=lang,
        )
    ]


def _audience(value: Any) -> Any:
    from domain.forms.support import Audience

    try:
        return Audience(value)
    except ValueError:
        return None


@router.get("/incidents/new", response_class=HTMLResponse)
async def new_incident_page(request: Request, who: PageUser, conn: Db) -> Response:
    return await _new_incident(request, who, conn, school_id="", summary="", error=None)


@router.post("/incidents/new", response_class=HTMLResponse)
async def new_incident(
    request: Request,
    who: PageUser,
    conn: Db,
    rt: Rt,
    csrf: str = Form(""),
    school_id: str = Form(""),
    summary: str = Form("", max_length=2000),
) -> Response:
    check_csrf(request, who, csrf)
    lang = _lang(request, who)
    board = await directory.school_board(conn, school_id=school_id)
    if board != who.board_id or not may_create_at(who, school_id):
        raise HTTPException(403, t("no_access", lang))
    if not summary.strip():
        error = (
            "Beschrijf kort wat er is gedeeld."
            if lang == "nl"
            else "Describe briefly what was shared."
        )
        return await _new_incident(
            request, who, conn, school_id=school_id, summary=summary, error=error
        )
    await conn.commit()
    incident_id = await rt.service.start_incident(
        school_id=school_id, summary=summary, created_by=who.staff_id
    )
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


async def _new_incident(
    request: Request, who: Principal, conn: Conn, *, school_id: str, summary: str, error: str | None
) -> Response:
    schools = await directory.schools_of_board(conn, board_id=who.board_id)
    allowed = [(s["id"], s["name"]) for s in schools if may_create_at(who, s["id"])]
    return render(
        request,
        "incident_new.html",
        lang=_lang(request, who),
        user=who,
        csrf=csrf_token(request, who),
        schools=allowed,
        school_id=school_id,
        summary=summary,
        error=error,
    )
