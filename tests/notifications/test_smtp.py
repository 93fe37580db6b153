"""SMTP delivery against a real aiosmtpd server, and the catcher's mailbox."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtplib.email import flatten_message

from notifications.catcher import MailCatcher, free_port
from notifications.messages import MessageContext, MessageKind
from notifications.render import RenderedMessage, render_message
from notifications.smtp import (
    DeliveryError,
    SmtpConnections,
    SmtpSettings,
    build_email,
    deliver,
)

LINK = "https://regie.example/t/abc"


def rendered(kind: MessageKind = MessageKind.task_assigned) -> RenderedMessage:
    context = MessageContext(
        school_name="Het Baken",
        step_title="Verwijder de beelden",
        deadline=datetime(2026, 11, 27, 13, 30, tzinfo=UTC),
        link=LINK,
        reference="RG-2026-0001",
    )
    return render_message(kind, context)


async def test_deliver_reaches_the_catcher(mail: MailCatcher, smtp_settings: SmtpSettings) -> None:
    message = rendered()

    await deliver(smtp_settings, to="mentor@school.example", message=message, message_id="t-1")

    [caught] = await mail.wait_for(lambda m: m.message_id == "<t-1@regie>", timeout=5)
    assert caught.to == ["mentor@school.example"]
    assert caught.subject == message.subject == "Nieuwe taak: Verwijder de beelden (Het Baken)"
    assert caught.text == message.text
    assert caught.html == message.html
    assert caught.links == [LINK]
    assert caught.received_at.tzinfo is not None


async def test_wait_for_times_out_with_what_did_arrive(
    mail: MailCatcher, smtp_settings: SmtpSettings
) -> None:
    await deliver(smtp_settings, to="a@school.example", message=rendered(), message_id="t-2")
    await mail.wait_for(lambda m: True, timeout=5)
    with pytest.raises(TimeoutError, match="Nieuwe taak"):
        await mail.wait_for(lambda m: m.message_id == "<other@regie>", timeout=0.1)


def test_build_email_is_multipart_alternative_utf8() -> None:
    message = rendered()
    built = build_email(
        sender="Regie – Stichting Ö <regie@example.org>",
        to="a@school.example",
        message=message,
        message_id="x",
    )
    # As the receiver reads it off the wire.
    raw = flatten_message(built)
    assert raw.isascii()
    email = message_from_bytes(raw, policy=default_policy)
    assert isinstance(email, EmailMessage)
    assert email.get_content_type() == "multipart/alternative"
    assert email["Message-ID"] == "<x@regie>"
    assert email["Date"]
    assert email["Subject"] == message.subject
    assert email["From"] == "Regie – Stichting Ö <regie@example.org>"
    plain, html = email.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    assert plain.get_content() == message.text
    assert html.get_content() == message.html


def test_a_long_subject_folds_and_reads_back_whole() -> None:
    subject = (
        "Herinnering: de taak ‘Omvang en impact bepalen’ voor incident RG-2026-000123 op"
        " De Regenboog verloopt morgen"
    )
    message = RenderedMessage(subject=subject, text="x", html="<p>x</p>")
    built = build_email(sender="r@x", to="a@x", message=message, message_id="long")
    raw = flatten_message(built)
    assert max(len(line) for line in raw.splitlines()) <= 78
    assert message_from_bytes(raw, policy=default_policy)["Subject"] == subject


@pytest.mark.parametrize("message_id", ["a b", "a@b", "<a>", "", "a\nb"])
def test_build_email_refuses_an_unusable_message_id(message_id: str) -> None:
    with pytest.raises(ValueError, match="message_id"):
        build_email(sender="r@x", to="a@x", message=rendered(), message_id=message_id)


async def test_store_survives_a_restart(tmp_path: Path) -> None:
    store = tmp_path / "mail" / "mailbox.jsonl"
    with MailCatcher(store_path=store) as first:
        settings = SmtpSettings.from_url(first.url)
        await deliver(settings, to="a@school.example", message=rendered(), message_id="keep-1")
        [before] = await first.wait_for(lambda m: True, timeout=5)

    with MailCatcher(store_path=store) as second:
        assert second.messages() == [before]
        assert second.get(before.id) == before
        second.clear()
        assert second.messages() == []

    with MailCatcher(store_path=store) as third:
        assert third.messages() == []


def test_a_torn_store_line_is_skipped(tmp_path: Path) -> None:
    store = tmp_path / "mailbox.jsonl"
    store.write_text('{"id": "half', encoding="utf-8")
    with MailCatcher(store_path=store) as catcher:
        assert catcher.messages() == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:1025", SmtpSettings(host="127.0.0.1", port=1025)),
        ("smtp://mail.example.org", SmtpSettings(host="mail.example.org", port=25)),
        (
            "smtps://regie:p%40ss%3Aword@mail.example.org",
            SmtpSettings(
                host="mail.example.org",
                port=465,
                username="regie",
                password="p@ss:word",
                use_tls=True,
            ),
        ),
        (
            "smtp+starttls://regie@relay.example.org:2525",
            SmtpSettings(host="relay.example.org", port=2525, username="regie", start_tls=True),
        ),
        (
            "SMTP+STARTTLS://relay.example.org",
            SmtpSettings(host="relay.example.org", port=587, start_tls=True),
        ),
    ],
)
def test_settings_from_url(url: str, expected: SmtpSettings) -> None:
    assert SmtpSettings.from_url(url) == expected


def test_settings_from_url_takes_a_sender() -> None:
    settings = SmtpSettings.from_url("smtp://h:25", sender="Regie <regie@board.example>")
    assert settings.sender == "Regie <regie@board.example>"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example.org", "scheme"),
        ("mail.example.org:25", "scheme"),
        ("smtp://:25", "host"),
        ("smtp://mail.example.org:notaport", "port"),
    ],
)
def test_settings_from_bad_url(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        SmtpSettings.from_url(url)


def test_settings_repr_hides_the_password() -> None:
    settings = SmtpSettings.from_url("smtps://regie:secret@mail.example.org")
    assert "secret" not in repr(settings)


async def test_delivering_to_a_closed_port_raises_delivery_error() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port())
    with pytest.raises(DeliveryError, match="SMTP_URL") as caught:
        await deliver(settings, to="a@school.example", message=rendered(), message_id="t-3")
    assert "a@school.example" not in str(caught.value)
    assert not caught.value.permanent


class _PeerNoting:
    """An SMTP server's handler that notes which client connection carried each message and,
    when asked, sends every connection's second sender away (421), as relays with a
    per-connection cap do."""

    def __init__(self, *, one_message_per_connection: bool = False) -> None:
        self.peers: list[tuple[str, int]] = []
        self._cap = one_message_per_connection
        self._carried: dict[tuple[str, int], int] = {}

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self._cap and self._carried.get(session.peer, 0) >= 1:
            return "421 4.7.0 one message per connection"
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        self._carried[session.peer] = self._carried.get(session.peer, 0) + 1
        return "250 accepted"


@contextlib.contextmanager
def _server(handler: object) -> Iterator[SmtpSettings]:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpSettings(host="127.0.0.1", port=controller.port)
    finally:
        controller.stop()


async def test_kept_connections_carry_the_next_emails() -> None:
    handler = _PeerNoting()
    connections = SmtpConnections()
    with _server(handler) as settings:
        for n in range(3):
            await deliver(
                settings, to="a@school.example", message=rendered(), message_id=f"kept-{n}",
                connections=connections,
            )  # fmt: skip
        await connections.close()
        await deliver(settings, to="a@school.example", message=rendered(), message_id="alone")
    assert len(handler.peers) == 4
    assert len(set(handler.peers[:3])) == 1  # one connection for the three
    assert handler.peers[3] != handler.peers[0]


async def test_a_kept_connection_turned_away_is_replaced_once_and_nothing_is_sent_twice() -> None:
    handler = _PeerNoting(one_message_per_connection=True)
    connections = SmtpConnections()
    noted: list[str] = []

    async def note() -> None:
        noted.append("sent")

    with _server(handler) as settings:
        for n in range(2):
            await deliver(
                settings, to="a@school.example", message=rendered(), message_id=f"cap-{n}",
                record=note, connections=connections,
            )  # fmt: skip
        await connections.close()
    assert len(handler.peers) == 2  # each e-mail arrived once
    assert handler.peers[0] != handler.peers[1]  # the second on a new connection
    assert noted == ["sent", "sent"]


async def test_a_connection_the_server_closed_is_not_reused() -> None:
    handler = _PeerNoting()
    connections = SmtpConnections()
    with _server(handler) as settings:
        await deliver(
            settings, to="a@school.example", message=rendered(), message_id="before",
            connections=connections,
        )  # fmt: skip
    # The server went away and came back on the same port: the kept connection is dead.
    again = Controller(handler, hostname="127.0.0.1", port=settings.port)
    again.start()
    try:
        await deliver(
            settings, to="a@school.example", message=rendered(), message_id="after",
            connections=connections,
        )  # fmt: skip
    finally:
        await connections.close()
        again.stop()
    assert len(handler.peers) == 2


class _RecipientJudge:
    """Takes every recipient until told `reply`, then answers each with it; counts the asks."""

    def __init__(self) -> None:
        self.reply: str | None = None
        self.asked = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.asked += 1
        if self.reply is not None:
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.mark.parametrize(
    ("reply", "for_good"),
    [("550 5.1.1 no such mailbox", True), ("450 4.2.1 mailbox busy, try later", False)],
)
async def test_only_a_5xx_to_the_recipient_says_the_address_is_wrong(
    reply: str, for_good: bool
) -> None:
    judge = _RecipientJudge()
    connections = SmtpConnections()
    with _server(judge) as settings:
        # A kept connection first, so a refusal on it could be mistaken for a stale one.
        await deliver(
            settings, to="a@school.example", message=rendered(), message_id="warm",
            connections=connections,
        )  # fmt: skip
        judge.reply, judge.asked = reply, 0
        with pytest.raises(DeliveryError) as caught:
            await deliver(
                settings, to="typo@school.example", message=rendered(), message_id="refused",
                connections=connections,
            )  # fmt: skip
        await connections.close()
    assert caught.value.address_refused is for_good
    assert caught.value.permanent is for_good
    assert "typo@school.example" not in str(caught.value)
    # A server's "no" to the address is not a stale connection: asking again cannot help.
    # A 4xx on a kept connection may be the connection's own limit, so it is asked anew once.
    assert judge.asked == (1 if for_good else 2)
