"""Rendering pages: one Jinja2 environment, autoescaped, strict about missing values."""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from api.security import is_tls
from api.web.i18n import Lang, status_word, t
from api.web.labels import choice_label, field_label
from notifications.render import format_deadline

SCHOOL_TZ = ZoneInfo("Europe/Amsterdam")
LANG_COOKIE = "regie_lang"

env = Environment(
    loader=PackageLoader("api", "web/templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def language(request: Request, default: str = "nl") -> Lang:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or default
    return "en" if chosen == "en" else "nl"


def time_left(due: datetime | None, lang: Lang) -> str:
    if due is None:
        return ""
    delta = due - datetime.now(UTC)
    late = delta.total_seconds() < 0
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if lang == "en":
        amount = f"{days} d {hours} h" if days else f"{hours} h {minutes} min"
        return f"{amount} late" if late else f"{amount} left"
    amount = f"{days} d {hours} u" if days else f"{hours} u {minutes} min"
    return f"{amount} te laat" if late else f"nog {amount}"


def render(
    request: Request, template: str, *, lang: Lang, status_code: int = 200, **context: Any
) -> HTMLResponse:
    page = env.get_template(template).render(
        request=request,
        lang=lang,
        t=lambda key: t(key, lang),
        status_word=lambda s: status_word(s, lang),
        field_label=lambda name: field_label(name, lang),
        choice_label=lambda value: choice_label(value, lang),
        deadline=lambda d: format_deadline(d, lang) if d else "",
        time_left=lambda d: time_left(d, lang),
        now=datetime.now(UTC),
        **context,
    )
    response = HTMLResponse(page, status_code=status_code)
    if request.query_params.get("lang") in ("nl", "en"):
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 86400,
            samesite="lax",
            httponly=True,
            secure=is_tls(request),
        )
    return response
