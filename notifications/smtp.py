"""Builds a MIME e-mail from a rendered message and hands it to an SMTP server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import format_datetime, formataddr, parseaddr
from typing import Final
from urllib.parse import unquote, urlsplit

import aiosmtplib

from notifications.render import RenderedMessage

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS: Final = 30.0

# Scheme -> (default port, use_tls, start_tls).
_SCHEMES: Final[dict[str, tuple[int, bool, bool]]] = {
    "smtp": (25, False, False),
    "smtps": (465, True, False),
    "smtp+starttls": (587, False, True),
}

# RFC 5322 atext and dots: anything else would make the Message-ID unparseable.
_MESSAGE_ID_LEFT: Final = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+")

_CHECK_HINT: Final = (
    "Check SMTP_URL (scheme smtp://, smtps:// or smtp+starttls://, host, port and "
    "credentials) and that the mail server is reachable from this machine."
)


class DeliveryError(Exception):
    """The SMTP server did not accept the e-mail.

    The message never contains the recipient or the server's reply text, because both may
    carry an address and this error ends up in the Temporal history. `permanent` is True when
    the server answered with a 5xx code. `address_refused` is True when that answer was to the
    recipient: the address does not exist or takes no mail, so no retry of this e-mail can
    help. Any other 5xx (authentication required, a sender the relay does not allow) is how
    Regie's own mail set-up is wrong, and every e-mail waits until that is fixed.
    """

    def __init__(
        self, message: str, *, permanent: bool = False, address_refused: bool = False
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.address_refused = address_refused


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool = False
    sender: str = "Regie <regie@localhost>"

    @classmethod
    def from_url(cls, url: str, *, sender: str | None = None) -> SmtpSettings:
        """Parses `smtp://user:pass@host:port`, `smtps://...` or `smtp+starttls://...`.

        Plain `smtp://` never upgrades to TLS; use `smtp+starttls://` for a relay that
        requires it. User and password may be percent-encoded.
        """
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _SCHEMES:
            raise ValueError(
                f"unsupported SMTP_URL scheme {parts.scheme!r}; use one of "
                + ", ".join(f"{name}://" for name in _SCHEMES)
            )
        if not parts.hostname:
            raise ValueError("SMTP_URL has no host, e.g. smtp://mail.example.org:25")
        default_port, use_tls, start_tls = _SCHEMES[scheme]
        try:
            port = parts.port or default_port
        except ValueError as error:
            raise ValueError(f"SMTP_URL has an invalid port: {error}") from None
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            use_tls=use_tls,
            start_tls=start_tls,
            sender=sender or cls.sender,
        )

    def __repr__(self) -> str:
        # Settings get logged; the password must not.
        password = "***" if self.password else None
        return (
            f"SmtpSettings(host={self.host!r}, port={self.port!r}, username={self.username!r}, "
            f"password={password!r}, use_tls={self.use_tls!r}, start_tls={self.start_tls!r}, "
            f"sender={self.sender!r})"
        )


def build_email(*, sender: str, to: str, message: RenderedMessage, message_id: str) -> Message:
    """A multipart/alternative UTF-8 e-mail whose Message-ID is `<{message_id}@regie>`.

    A stable message_id per logical e-mail lets a receiver drop the duplicate that a retried
    activity may send.

    Built with the classic (compat32) MIME classes: the same message on the wire as
    `EmailMessage` makes (quoted-printable UTF-8 parts, RFC 2047 subject), at a quarter of
    the CPU, which counts in a worker that sends one for every task (bench/RESULTS.md).
    """
    if not _MESSAGE_ID_LEFT.fullmatch(message_id):
        raise ValueError(
            "message_id may only hold letters, digits and !#$%&'*+-/=?^_`{|}~. "
            f"(got {message_id!r})"
        )
    email = MIMEMultipart("alternative")
    # A Header folds between encoded words; compat32 takes one (typeshed knows only str).
    email["Subject"] = Header(message.subject, _UTF8, header_name="Subject")  # type: ignore[assignment]
    email["From"] = formataddr(parseaddr(sender), charset=_UTF8)
    email["To"] = to
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = f"<{message_id}@regie>"
    for body, subtype in ((message.text, "plain"), (message.html, "html")):
        part = MIMENonMultipart("text", subtype)
        part.set_payload(body, _UTF8)
        email.attach(part)
    return email


# UTF-8 whose parts travel quoted-printable: readable where the text is mostly ASCII, as
# Dutch and English are, and 7-bit safe for any relay.
_UTF8: Final = Charset("utf-8")
_UTF8.body_encoding = QP


class SmtpConnections:
    """Connections to the SMTP server kept open between e-mails, for one event loop.

    A new connection per e-mail costs a TCP handshake, the banner, EHLO and QUIT: three round
    trips, and in the worker more CPU than building the message. A kept connection is reused
    while it has been idle less than IDLE_SECONDS (servers drop quiet clients after a few
    minutes; Postfix after 300 s) and has carried fewer than MESSAGES_PER_CONNECTION e-mails
    (some relays cap that). At most `keep` wait idle; more senders at once open their own.
    """

    IDLE_SECONDS: Final = 30.0
    MESSAGES_PER_CONNECTION: Final = 100

    def __init__(self, *, keep: int = 8) -> None:
        self._keep = keep
        self._idle: list[tuple[aiosmtplib.SMTP, float, int]] = []  # client, idle since, sent
        self._loop: asyncio.AbstractEventLoop | None = None

    def take(self) -> tuple[aiosmtplib.SMTP, int] | None:
        """A live kept connection and how many e-mails it carried, or None."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # connections belong to the loop that opened them
            self._idle.clear()
            self._loop = loop
        now = time.monotonic()
        while self._idle:
            client, since, sent = self._idle.pop()
            if client.is_connected and now - since < self.IDLE_SECONDS:
                return client, sent
            client.close()
        return None

    def give_back(self, client: aiosmtplib.SMTP, sent: int) -> bool:
        """Keep `client` for the next e-mail; False when it should say goodbye instead."""
        if (
            not client.is_connected
            or sent >= self.MESSAGES_PER_CONNECTION
            or len(self._idle) >= self._keep
            or asyncio.get_running_loop() is not self._loop
        ):
            return False
        self._idle.append((client, time.monotonic(), sent))
        return True

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client, _, _ in idle:
            await _goodbye(client)


async def deliver(
    settings: SmtpSettings,
    *,
    to: str,
    message: RenderedMessage,
    message_id: str,
    record: Callable[[], Awaitable[None]] | None = None,
    connections: SmtpConnections | None = None,
) -> None:
    """Sends one e-mail; raises DeliveryError when the server cannot be reached or refuses.

    `record` is the caller's note that the e-mail went out (the mail log's commit). It is
    called in the same callback that hands the message's final "." to the network, while the
    server's reply is still on its way; what it does before returning its awaitable leaves in
    that same moment. A worker killed after it has as good as always written the note as well:
    the time in which a crash makes a retry send the e-mail a second time shrinks from the
    reply's round trip to the gap between two system calls, when `record` puts its note on
    the wire before returning (activities/notify.py does, with store.db.commit_now). If the server
    then refuses the message, DeliveryError is raised after `record` finished, and the caller
    takes its note back. An error `record` raises is the caller's own and passes through.

    With `connections`, the e-mail goes over a kept connection when there is one, and the
    connection is kept again afterwards. A kept connection that fails before the message
    left (the server closed it meanwhile) is replaced by a new one, once.
    """
    email = build_email(sender=settings.sender, to=to, message=message, message_id=message_id)
    where = f"{settings.host}:{settings.port}"
    recording: list[asyncio.Task[None]] = []

    def written(data: bytes) -> None:
        if record is not None and not recording and data.endswith(_END_OF_DATA):
            recording.append(asyncio.ensure_future(record()))

    kept = connections.take() if connections is not None else None
    client, carried = kept if kept is not None else (_client(settings), 0)
    delivered = False
    try:
        while True:
            try:
                await _send(client, email, where=where, message_id=message_id, written=written)
                break
            except DeliveryError as error:
                if kept is not None and not recording and not error.permanent:
                    # The kept connection failed before the message left: once more, new.
                    client.close()
                    client, carried, kept = _client(settings), 0, None
                    continue
                if recording:  # let the note finish, so the caller can take it back
                    with contextlib.suppress(Exception):
                        await recording[0]
                raise
        if recording:
            await recording[0]
        elif record is not None:
            await record()  # the end of the message went out in an unexpected way: note it now
        delivered = True
    finally:
        # After a refusal the session's state is the server's guess: never reuse it.
        if not (
            delivered and connections is not None and connections.give_back(client, carried + 1)
        ):
            await _goodbye(client)


def _client(settings: SmtpSettings) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        username=settings.username,
        password=settings.password,
        use_tls=settings.use_tls,
        start_tls=settings.start_tls,
        timeout=SEND_TIMEOUT_SECONDS,
    )


async def _goodbye(client: aiosmtplib.SMTP) -> None:
    if client.is_connected:
        # The message is in (or refused) already; a failing goodbye changes nothing.
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.quit()
    if client.is_connected:
        client.close()


@contextlib.contextmanager
def _watching_writes(client: aiosmtplib.SMTP, written: Callable[[bytes], None]) -> Iterator[None]:
    """Call `written` with everything the client hands to the network, after handing it over."""
    protocol = client.protocol
    if protocol is None:
        yield
        return
    write = protocol.write

    def write_and_tell(data: bytes) -> None:
        write(data)
        written(data)

    protocol.write = write_and_tell  # type: ignore[method-assign]
    try:
        yield
    finally:
        protocol.write = write  # type: ignore[method-assign]


# How the DATA phase ends on the wire (RFC 5321 4.1.1.4): after it, the message is the
# server's to accept or refuse.
_END_OF_DATA: Final = b"\r\n.\r\n"


async def _send(
    client: aiosmtplib.SMTP,
    email: Message,
    *,
    where: str,
    message_id: str,
    written: Callable[[bytes], None],
) -> None:
    try:
        if not client.is_connected:
            await client.connect()
        with _watching_writes(client, written):
            await client.send_message(email)
    except aiosmtplib.SMTPRecipientsRefused as error:
        # The error's repr lists the refused addresses: only the codes go in the log.
        codes = sorted({refusal.code for refusal in error.recipients})
        logger.warning("SMTP server %s refused the recipient of %s: %s", where, message_id, codes)
        # A 4xx (mailbox busy, greylisting) passes; a 5xx says the address itself is wrong.
        for_good = all(code >= 500 for code in codes)
        raise DeliveryError(
            f"the mail server at {where} refused the recipient of message {message_id}; "
            "check the staff member's e-mail address in the directory",
            permanent=for_good,
            address_refused=for_good,
        ) from None
    except aiosmtplib.SMTPResponseException as error:
        # The reply text can echo the address, so only the code leaves this function.
        logger.warning("SMTP server %s refused message %s: %d", where, message_id, error.code)
        raise DeliveryError(
            f"the mail server at {where} refused message {message_id} with code "
            f"{error.code}. {_CHECK_HINT}",
            permanent=500 <= error.code < 600,
        ) from None
    except (aiosmtplib.SMTPException, OSError) as error:
        # Connection and timeout errors carry host and errno only; keep them as the cause.
        raise DeliveryError(
            f"could not deliver message {message_id} via {where} "
            f"({type(error).__name__}: {error}). {_CHECK_HINT}"
        ) from error
