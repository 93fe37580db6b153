"""The privacy officer's page: answer a request for access or erasure without the API.

The name is posted in a form, never put in a URL. The export shows on the page and downloads
as JSON; the erasure asks for an explicit tick first. Both go through the same functions as
the API (`api.routes.privacy`), so they are checked and recorded the same way.
"""

import json

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Db
from api.routes.privacy import erase_for, export_for, is_privacy_officer
from api.web.i18n import Lang, t
from api.web.labels import CHOICES, choice_label, field_label
from api.web.session import PageUser, check_csrf, csrf_token
from api.web.templating import language, render

router = APIRouter(include_in_schema=False)

NAME_MAX = 200


def _officer_only(who: PageUser, lang: Lang) -> None:
    # The API's check, with the refusal in the page's language.
    if not is_privacy_officer(who):
        raise HTTPException(403, t("privacy_officer_only", lang))


def _page(
    request: Request, who: PageUser, *, status_code: int = 200, **context: object
) -> HTMLResponse:
    lang = language(request, who.language)
    values: dict[str, object] = {"name": "", "export": None, "erased": None, "error": ""}
    values.update(context)
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


def readable(value: object, lang: Lang) -> str:
    """An answer's value as a line of text: yes/no, choices by their labels, entries joined."""
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("ja" if value else "nee")
    if isinstance(value, list):
        return "; ".join(readable(v, lang) for v in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{field_label(str(k), lang)}: {readable(v, lang)}" for k, v in value.items()
        )
    if isinstance(value, str):
        # A choice by its label; free text as it was written.
        return choice_label(value, lang) if value in CHOICES else value
    return str(value)


def _form_name(request: Request, who: PageUser, csrf: str, name: str) -> str | HTMLResponse:
    """What both forms check first: the form's origin, the role, and the name; the cleaned
    name, or the page again with what to fix."""
    check_csrf(request, who, csrf)
    lang = language(request, who.language)
    _officer_only(who, lang)
    cleaned = " ".join(name.split())
    if not 2 <= len(cleaned) <= NAME_MAX:
        return _page(request, who, name=name, error=t("privacy_name_needed", lang), status_code=422)
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
    cleaned = _form_name(request, who, csrf, name)
    if isinstance(cleaned, HTMLResponse):
        return cleaned
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
    cleaned = _form_name(request, who, csrf, name)
    if isinstance(cleaned, HTMLResponse):
        return cleaned
    lang = language(request, who.language)
    if confirm != "yes":
        error = t("privacy_confirm_needed", lang)
        return _page(request, who, name=cleaned, error=error, status_code=422)
    erased = await erase_for(conn, who, cleaned)
    if erased is None:
        error = t("privacy_nothing_found", lang)
        return _page(request, who, name=cleaned, error=error, status_code=404)
    return _page(request, who, erased=erased)
