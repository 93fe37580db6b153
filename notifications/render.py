"""Turns a message kind and its context into a subject, a plain-text part and an HTML part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal, get_args
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from notifications.messages import MessageContext, MessageKind, missing_fields

Language = Literal["nl", "en"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)

# Staff read deadlines in Dutch local time, whatever the server's zone is.
SCHOOL_TZ: Final = ZoneInfo("Europe/Amsterdam")

# Spelled out here because the machines running Regie have no nl_NL locale, and strftime's
# names would depend on the process locale anyway.
_DAYS: Final[dict[Language, tuple[str, ...]]] = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS: Final[dict[Language, tuple[str, ...]]] = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_AT: Final[dict[Language, str]] = {"nl": "om", "en": "at"}


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


def format_deadline(moment: datetime, language: Language = "nl") -> str:
    """'vrijdag 27 november 2026 om 14:30' / 'Friday 27 November 2026 at 14:30', Amsterdam time."""
    if moment.tzinfo is None:
        # A naive time would silently shift by one or two hours; refuse it instead.
        raise ValueError("deadline must be timezone-aware (UTC)")
    local = moment.astimezone(SCHOOL_TZ)
    day = _DAYS[language][local.weekday()]
    month = _MONTHS[language][local.month - 1]
    return f"{day} {local.day} {month} {local.year} {_AT[language]} {local:%H:%M}"


def format_date(day: date, language: Language = "nl") -> str:
    """'27 november 2026' / '27 November 2026'."""
    return f"{day.day} {_MONTHS[language][day.month - 1]} {day.year}"


def paragraphs_html(text: str) -> Markup:
    """Escapes `text` and keeps its layout: blank lines become paragraphs, newlines <br>."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    rendered = (
        Markup('<p style="margin:0 0 16px 0;">{}</p>').format(
            Markup("<br>\n").join(escape(line) for line in block.split("\n"))
        )
        for block in blocks
        if block
    )
    return Markup("\n").join(rendered)


def _build_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("notifications", "templates"),
        # By extension: .html is escaped, .txt (text part and subject) is left literal.
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["paragraphs_html"] = paragraphs_html
    return environment


environment: Final[Environment] = _build_environment()


def render_message(
    kind: MessageKind, context: MessageContext, *, language: Language = "nl"
) -> RenderedMessage:
    """Renders the three parts of one e-mail.

    Raises ValueError when the context lacks a field this kind needs, and
    jinja2.UndefinedError when a template uses a variable that does not exist.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; use one of {LANGUAGES}")
    missing = missing_fields(kind, context)
    if missing:
        raise ValueError(f"a {kind} e-mail needs {', '.join(missing)} in its context")

    values: dict[str, Any] = context.model_dump()
    values["language"] = language
    values["deadline_text"] = (
        format_deadline(context.deadline, language) if context.deadline else None
    )

    subject_raw = environment.get_template(f"{language}/{kind}.subject.txt").render(values)
    # A header cannot hold a newline; collapsing all whitespace also defuses header injection.
    subject = " ".join(subject_raw.split())
    text = environment.get_template(f"{language}/{kind}.txt").render(values)
    html = environment.get_template(f"{language}/{kind}.html").render(values, subject=subject)
    return RenderedMessage(subject=subject, text=text, html=html)
