"""Rendering: every kind in both languages, deadlines, escaping and the no-pupil rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import jinja2
import pytest
from jinja2 import meta
from pydantic import ValidationError

import notifications
from notifications.messages import MessageContext, MessageKind
from notifications.render import LANGUAGES, environment, format_deadline, render_message

TEMPLATES = Path(notifications.__file__).parent / "templates"
DEADLINE = datetime(2026, 11, 27, 13, 30, tzinfo=UTC)
LINK = "https://regie.example/t/abc"
FOOTER = {
    "nl": "Dit bericht bevat geen namen van leerlingen. Stuur nooit beelden door.",
    "en": "This message contains no pupils' names. Never forward images.",
}
# Kinds that tell someone they no longer have work; they carry no link on purpose.
NO_LINK_KINDS = {MessageKind.task_reassigned_away, MessageKind.task_cancelled}


def full_context(**changes: object) -> MessageContext:
    values: dict[str, object] = {
        "school_name": "Het Baken",
        "step_title": "Bepaal omvang en impact",
        "deadline": DEADLINE,
        "link": LINK,
        "reference": "RG-2026-0001",
        "escalation_level": 1,
        "body": "Beste ouders,\n\nOp school is iets gebeurd.",
        "reason_code": "false_alarm",
    }
    values.update(changes)
    return MessageContext.model_validate(values)


INCIDENT_KINDS = [k for k in MessageKind if k is not MessageKind.sign_in_link]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", INCIDENT_KINDS)
def test_every_kind_renders_in_both_languages(kind: MessageKind, language: str) -> None:
    message = render_message(kind, full_context(), language=language)  # type: ignore[arg-type]

    assert "Het Baken" in message.subject
    for part in (message.text, message.html):
        assert "Het Baken" in part
        assert "Bepaal omvang en impact" in part
        assert "RG-2026-0001" in part
        assert FOOTER[language] in part
    assert f'<html lang="{language}">' in message.html
    if kind not in NO_LINK_KINDS:
        assert LINK in message.text
        assert f'href="{LINK}"' in message.html


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (MessageKind.task_assigned, "vrijdag 27 november 2026 om 14:30"),
        (MessageKind.task_reminder, "vrijdag 27 november 2026 om 14:30"),
        (MessageKind.task_escalated, "vrijdag 27 november 2026 om 14:30"),
    ],
)
def test_task_mails_show_the_deadline_in_dutch(kind: MessageKind, expected: str) -> None:
    message = render_message(kind, full_context())
    assert expected in message.text
    assert expected in message.html


def test_english_deadline() -> None:
    message = render_message(MessageKind.task_assigned, full_context(), language="en")
    assert "Friday 27 November 2026 at 14:30" in message.text


@pytest.mark.parametrize(
    ("moment", "language", "expected"),
    [
        (DEADLINE, "nl", "vrijdag 27 november 2026 om 14:30"),
        (DEADLINE, "en", "Friday 27 November 2026 at 14:30"),
        # Summer time: UTC+2.
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "nl", "woensdag 1 juli 2026 om 14:00"),
        # Half an hour after the spring-forward switch.
        (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "en", "Sunday 29 March 2026 at 03:30"),
        # Any aware time works, not only UTC.
        (
            datetime(2026, 11, 27, 8, 30, tzinfo=timezone(timedelta(hours=-5))),
            "nl",
            "vrijdag 27 november 2026 om 14:30",
        ),
    ],
)
def test_format_deadline(moment: datetime, language: str, expected: str) -> None:
    assert format_deadline(moment, language) == expected  # type: ignore[arg-type]


def test_naive_deadline_is_refused() -> None:
    with pytest.raises(ValidationError):
        full_context(deadline=datetime(2026, 11, 27, 14, 30))  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        format_deadline(datetime(2026, 11, 27, 14, 30))  # noqa: DTZ001


@pytest.mark.parametrize("kind", [MessageKind.parent_letter, MessageKind.media_statement])
def test_body_is_escaped_in_html_and_literal_in_text(kind: MessageKind) -> None:
    body = "Beste ouders,\n\n<script>alert('x')</script> & meer.\nTweede regel."
    message = render_message(kind, full_context(body=body))

    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; meer." in message.html
    assert "<script>alert('x')</script> & meer." in message.text
    # Paragraphs and line breaks survive escaping.
    assert ">Beste ouders,</p>" in message.html
    assert "&amp; meer.<br>\nTweede regel.</p>" in message.html


def test_context_values_are_escaped_in_html_only() -> None:
    message = render_message(MessageKind.task_assigned, full_context(school_name="Kind & <Co>"))
    assert "Kind &amp; &lt;Co&gt;" in message.html
    assert "<Co>" not in message.html
    assert "Kind & <Co>" in message.text
    assert "Kind & <Co>" in message.subject


def test_a_missing_variable_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        environment.from_string("{{ pupil }}").render()
    with pytest.raises(jinja2.UndefinedError):
        environment.get_template("nl/task_assigned.txt").render(school_name="Het Baken")


@pytest.mark.parametrize(
    ("kind", "changes", "missing"),
    [
        (MessageKind.task_assigned, {"link": None}, "link"),
        (MessageKind.task_reminder, {"deadline": None}, "deadline"),
        (MessageKind.task_escalated, {"escalation_level": 0}, "escalation_level"),
        (MessageKind.parent_letter, {"body": None}, "body"),
        (MessageKind.media_statement, {"body": ""}, "body"),
        (MessageKind.letter_refused, {"link": None}, "link"),
    ],
)
def test_a_kind_refuses_a_context_without_what_it_needs(
    kind: MessageKind, changes: dict[str, object], missing: str
) -> None:
    with pytest.raises(ValueError, match=missing):
        render_message(kind, full_context(**changes))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(MessageKind))
def test_subject_is_one_line(kind: MessageKind, language: str) -> None:
    # A newline smuggled into a value must not become a second header line.
    context = full_context(school_name="Het\nBaken\r\nBcc: x@example.org")
    subject = render_message(kind, context, language=language).subject  # type: ignore[arg-type]
    assert "\n" not in subject
    assert "\r" not in subject
    assert subject == subject.strip()
    assert subject


def test_escalation_levels_address_school_leader_then_board() -> None:
    to_leader = render_message(MessageKind.task_escalated, full_context(escalation_level=1))
    to_board = render_message(MessageKind.task_escalated, full_context(escalation_level=2))
    assert "jouw school" in to_leader.text
    assert "schoolleider heeft al bericht gekregen" in to_board.text
    assert to_leader.subject != to_board.subject


def test_false_alarm_is_named_as_the_reason() -> None:
    nl = render_message(MessageKind.task_cancelled, full_context())
    en = render_message(MessageKind.task_cancelled, full_context(), language="en")
    other = render_message(MessageKind.task_cancelled, full_context(reason_code=None))
    assert "loos alarm" in nl.text
    assert "false alarm" in en.text
    assert "loos alarm" not in other.text


def test_removal_instructions_follow_the_guidance() -> None:
    text = render_message(MessageKind.removal_instructions, full_context()).text
    for phrase in (
        "klassikaal",
        "verzender het bericht voor iedereen verwijderen",
        "beheerder van de appgroep",
        "iedereen in de appgroep het bericht zelf",
        "strafbaar",
        "doorsturen",
        "screenshots",
        "kijk zelf niet naar de beelden",
    ):
        assert phrase in text


def test_removal_instructions_work_without_a_task_link() -> None:
    message = render_message(MessageKind.removal_instructions, full_context(link=None))
    assert "https://" not in message.text
    assert "incidentcoördinator" in message.text


def test_the_context_has_no_place_for_a_pupil() -> None:
    assert set(MessageContext.model_fields) == {
        "school_name",
        "step_title",
        "deadline",
        "link",
        "reference",
        "escalation_level",
        "body",
        "reason_code",
    }
    with pytest.raises(ValidationError):
        MessageContext.model_validate(
            {"school_name": "Het Baken", "step_title": "Steun", "pupil_name": "Sanne"}
        )


def test_templates_use_only_context_variables() -> None:
    # Macros imported at the top of a template count as undeclared inside its blocks.
    macros = {"button", "facts", "quoted"}
    allowed = set(MessageContext.model_fields) | {"language", "deadline_text", "subject"} | macros
    # Only the e-mail templates; templates/letters/ belongs to notifications.letters.
    sources = [
        path
        for folder in (TEMPLATES, TEMPLATES / "nl", TEMPLATES / "en")
        for path in sorted(folder.iterdir())
        if path.suffix in {".txt", ".html"}
    ]
    assert len(sources) == 2 * 3 * len(MessageKind) + 2 * 3 + 2
    for path in sources:
        source = path.read_text(encoding="utf-8")
        used = meta.find_undeclared_variables(environment.parse(source))
        assert used <= allowed, f"{path.relative_to(TEMPLATES)} uses {used - allowed}"
        assert not any("naam" in name or "name" in name for name in used - {"school_name"})


@pytest.mark.parametrize("link", ["javascript:alert(1)", "/t/abc", "https://x/t/a b"])
def test_link_must_be_a_web_address(link: str) -> None:
    with pytest.raises(ValidationError):
        full_context(link=link)


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        render_message(MessageKind.task_assigned, full_context(), language="de")  # type: ignore[arg-type]


def test_dutch_is_the_default() -> None:
    message = render_message(MessageKind.task_assigned, full_context())
    assert message.subject.startswith("Nieuwe taak")
    assert '<html lang="nl">' in message.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_in_mail_has_its_link_and_no_incident(language: str) -> None:
    context = MessageContext(school_name="Het Baken", step_title="Regie", link=LINK)
    message = render_message(MessageKind.sign_in_link, context, language=language)  # type: ignore[arg-type]
    assert "Regie" in message.subject
    assert LINK in message.text and f'href="{LINK}"' in message.html
    assert FOOTER[language] in message.text
