"""The catcher reads a message as email.policy.default would, without its cost.

The catcher parses with the compat32 parser and decodes the headers itself (it was most of the
bench's own CPU). The slow, careful parse of the standard library is the oracle here, over the
messages Regie builds and the shapes other senders use.
"""

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import cast

import pytest
from aiosmtplib.email import flatten_message

from notifications.catcher import parse_message
from notifications.render import RenderedMessage
from notifications.smtp import build_email

LONG_SUBJECT = (
    "Herinnering: de taak ‘Omvang en impact bepalen’ voor incident RG-2026-000123 op"
    " De Regenboog verloopt morgen"
)
TEXT = "Beste Ömer,\n\nOpen de taak: https://regie.example/t/abc.def?x=1.\nGroet,\n— Regie\n"
HTML = "<p>Beste Ömer,</p><p><a href='https://regie.example/t/abc.def'>taak</a></p>\n"


def _oracle(raw: bytes) -> tuple[str, str, str, str]:
    parsed = message_from_bytes(raw, policy=default_policy)
    assert isinstance(parsed, EmailMessage)

    def body(subtype: str) -> str:
        part = parsed.get_body(preferencelist=(subtype,))
        if part is None or part.get_content_subtype() != subtype:
            return ""
        return str(cast(EmailMessage, part).get_content()).replace("\r\n", "\n")

    return (
        str(parsed.get("Subject", "")).strip(),
        str(parsed.get("Message-ID", "")).strip(),
        body("plain"),
        body("html"),
    )


def _regie(subject: str) -> bytes:
    message = RenderedMessage(subject=subject, text=TEXT, html=HTML)
    return flatten_message(
        build_email(sender="regie@x.nl", to="a@x.nl", message=message, message_id="m-1.2")
    )


def _modern(subject: str, *, cte: str) -> bytes:
    message = EmailMessage()
    message["Subject"] = subject
    message["Message-ID"] = "<other@sender>"
    message.set_content(TEXT, cte=cte)
    message.add_alternative(HTML, subtype="html", cte=cte)
    return message.as_bytes(policy=default_policy.clone(linesep="\r\n"))


def _plain_only() -> bytes:
    message = EmailMessage()
    message["Subject"] = "Alleen tekst"
    message.set_content(TEXT)
    return message.as_bytes()


@pytest.mark.parametrize(
    "raw",
    [
        _regie("Nieuwe taak: Verwijder de beelden (Het Baken)"),
        _regie(LONG_SUBJECT),
        _regie("Ééntje met àccenten en een heel lange staart " * 3),
        _modern(LONG_SUBJECT, cte="base64"),
        _modern("Kort", cte="quoted-printable"),
        _modern("Kort en 8bit: é", cte="8bit"),
        _plain_only(),
    ],
    ids=["regie", "regie-long", "regie-folded-words", "base64", "qp", "8bit", "plain-only"],
)
def test_the_catcher_reads_what_the_standard_parser_reads(raw: bytes) -> None:
    caught = parse_message(raw, recipients=["a@x.nl"])
    assert (caught.subject, caught.message_id, caught.text, caught.html) == _oracle(raw)
    assert caught.links[0] == "https://regie.example/t/abc.def?x=1"


def test_a_message_without_headers_reads_as_plain_text() -> None:
    raw = b"\r\nno headers at all https://x.nl/a\r\n"
    caught = parse_message(raw, recipients=[])
    assert (caught.subject, caught.message_id, caught.text, caught.html) == _oracle(raw)
    assert (caught.subject, caught.text, caught.links) == (
        "",
        "no headers at all https://x.nl/a\n",
        ["https://x.nl/a"],
    )
