"""The privacy officer's page: answer a request for access or erasure without the API.

The name is posted in a form, never put in a URL. The export shows on the page and downloads
as JSON; the erasure asks for an explicit tick first. Both go through the same functions as
the API (`api.routes.privacy`), so they are checked and recorded the same way.
"""

import json

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Db
from api.routes.privacy import erase_for, export_for
from api.web.i18n import t
from api.web.labels import CHOICES, choice_label, field_label
from api.web.session import PageUser, check_csrf, csrf_token
from api.web.templating import language, render
from domain.roles import Role

router = APIRouter(include_in_schema=False)

NAME_MAX = 200


def _officer_only(who: PageUser, lang: str) -> None:
    if who.task_scope is not None or not who.has_board_role(Role.privacy_officer):
        raise HTTPException(403, t("privacy_officer_only", "en" if lang == "en" else "nl"))


def _page(request: Request, who: PageUser, **context: object) -> HTMLResponse:
    lang = language(request, who.language)
    values: dict[str, object] = {"name": "", "export": None, "erased": None, "error": ""}
    values.update(context)
    status_code = int(str(values.pop("status_code", 200)))
    return render(
        request,
        "privacy.html",
        readable=lambda v: readable(v, lang),
        lang=lang,
        status_code=status_code,
        user=who,
        csrf=csrf_token(request, who),
        **values,
    )


def readable(value: object, lang: str) -> str:
    """An answer's value as a line of text: yes/no, choices by their labels, entries joined."""
    language_ = "en" if lang == "en" else "nl"
    if isinstance(value, bool):
        return ("yes" if value else "no") if language_ == "en" else ("ja" if value else "nee")
    if isinstance(value, list):
        return "; ".join(readable(v, lang) for v in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{field_label(str(k), language_)}: {readable(v, lang)}" for k, v in value.items()
        )
    if isinstance(value, str):
        # A choice by its label; free text as it was written.
        return choice_label(value, language_) if value in CHOICES else value
    return str(value)


def _checked_name(name: str, lang: str) -> str:
    cleaned = " ".join(name.split())
    if not 2 <= len(cleaned) <= NAME_MAX:
        raise ValueError(t("privacy_name_needed", "en" if lang == "en" else "nl"))
    return cleaned


@router.get("/privacy", response_class=HTMLResponse)
async def privacy_page(request: Request, who: PageUser) -> Response:
    _officer_only(who, language(request, who.language))
    return _page(request, who)


@router.post("/privacy/access", response_class=HTMLResponse)
async def privacy_access(
    request: Request,
    who: PageUser,
    conn: Db,
    csrf: str = Form(""),
    name: str = Form("", max_length=NAME_MAX * 2),
    download: str = Form(""),
) -> Response:
    check_csrf(request, who, csrf)
    lang = language(request, who.language)
    _officer_only(who, lang)
    try:
        cleaned = _checked_name(name, lang)
    except ValueError as error:
        return _page(request, who, name=name, error=str(error), status_code=422)
    export = await export_for(conn, who, cleaned)
    if download:
        return Response(
            json.dumps(export.model_dump(mode="json"), ensure_ascii=False, indent=2),
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="inzage-{export.request_id}.json"'
            },
        )
    return _page(request, who, name=cleaned, export=export)


@router.post("/privacy/erase", response_class=HTMLResponse)
async def privacy_erase(
    request: Request,
    who: PageUser,
    conn: Db,
    csrf: str = Form(""),
    name: str = Form("", max_length=NAME_MAX * 2),
    confirm: str = Form(""),
) -> Response:
    check_csrf(request, who, csrf)
    lang = language(request, who.language)
    _officer_only(who, lang)
    try:
        cleaned = _checked_name(name, lang)
    except ValueError as error:
        return _page(request, who, name=name, error=str(error), status_code=422)
    if confirm != "yes":
        return _page(
            request, who, name=cleaned, error=t("privacy_confirm_needed", lang), status_code=422
        )
    erased = await erase_for(conn, who, cleaned)
    if erased is None:
        return _page(
            request, who, name=cleaned, error=t("privacy_nothing_found", lang), status_code=404
        )
    return _page(request, who, erased=erased)
