"""A development and test SMTP server that keeps every e-mail it receives.

The dev stack points SMTP_URL at it so staff-facing mail can be read without a real relay;
tests use it to check what Regie actually sent over the wire.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import Header, decode_header, make_header
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

from aiosmtpd.controller import Controller

logger = logging.getLogger(__name__)

_LINK: Final = re.compile(r"https?://[^\s<>\"']+")
_FOLD: Final = re.compile(r"\r?\n(?=[ \t])")
_POLL_SECONDS: Final = 0.02


@dataclass
class CaughtMessage:
    id: str
    to: list[str]
    subject: str
    text: str
    html: str
    links: list[str]
    received_at: datetime
    message_id: str

    def to_json(self) -> str:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> CaughtMessage:
        data = json.loads(line)
        data["received_at"] = datetime.fromisoformat(data["received_at"])
        return cls(**data)


def extract_links(text: str) -> list[str]:
    """http(s) URLs in order of appearance, without sentence punctuation stuck to the end."""
    return [match.rstrip(".,;:!?)") for match in _LINK.findall(text)]


def parse_message(raw: bytes, *, recipients: list[str]) -> CaughtMessage:
    # The compat32 parser with the headers decoded by hand: email.policy.default builds a
    # header object per header read and was most of the bench's own CPU (bench/RESULTS.md),
    # charged to the service it measures. tests/notifications/test_catcher.py holds the two
    # parses to the same result.
    parsed = message_from_bytes(raw)
    text = _part(parsed, "plain")
    return CaughtMessage(
        id=uuid.uuid4().hex,
        to=list(recipients),
        subject=_header(parsed, "Subject"),
        text=text,
        html=_part(parsed, "html"),
        links=extract_links(text),
        received_at=datetime.now(UTC),
        message_id=_header(parsed, "Message-ID"),
    )


def _header(message: Message, name: str) -> str:
    """The header's text: unfolded, encoded words decoded, without the fold's leading space."""
    value = message.get(name)
    if value is None:
        return ""
    if isinstance(value, Header):
        return str(value).strip()
    unfolded = _FOLD.sub("", str(value))
    return str(make_header(decode_header(unfolded))).strip()


def _part(message: Message, subtype: str) -> str:
    """The first inline text/<subtype> part, as get_body(preferencelist=(subtype,)) finds it
    in the plain and multipart/alternative mails Regie sends."""
    for part in message.walk():
        if part.is_multipart() or part.get_content_type() != f"text/{subtype}":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return ""
        content = payload.decode(part.get_content_charset() or "us-ascii", errors="replace")
        # SMTP puts CRLF on the wire; callers compare with what was rendered (LF).
        return content.replace("\r\n", "\n")
    return ""


class _Handler:
    def __init__(
        self, on_message: Callable[[CaughtMessage], None], refuses: Callable[[str], bool]
    ) -> None:
        self._on_message = on_message
        self._refuses = refuses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self._refuses(address):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        self._on_message(parse_message(raw, recipients=list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class _AnyPortController(Controller):
    """Controller that can bind port 0 and then reports the port the OS chose.

    Picking a free port first and binding it later races with other processes; reading it
    back from the bound socket does not.
    """

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        create = super()._create_server()

        async def bind() -> asyncio.AbstractServer:
            server = await create
            if not isinstance(server, asyncio.Server):
                raise RuntimeError(f"unexpected server type {type(server).__name__}")
            self.port = server.sockets[0].getsockname()[1]
            return server

        return bind()


class MailCatcher:
    """Receives mail on host:port in a background thread and keeps it in memory.

    With `store_path`, every message is also appended to a JSON-lines file that is read
    back on start, so a restarted dev stack keeps its mailbox.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, store_path: Path | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.store_path = store_path
        self._messages: list[CaughtMessage] = []
        self._lock = threading.Lock()
        self._controller: _AnyPortController | None = None
        # Addresses answered "550 mailbox unavailable", as a real server answers a mistyped
        # one, and how often each was tried.
        self._refused: dict[str, int] = {}

    def start(self) -> None:
        if self._controller is not None:
            raise RuntimeError("mail catcher already started")
        with self._lock:
            self._messages = self._load()
        controller = _AnyPortController(
            _Handler(self._add, self._refuses),
            hostname=self.host,
            port=self.port,
            enable_SMTPUTF8=True,
        )
        controller.start()
        self._controller = controller
        self.port = int(controller.port)
        logger.info("mail catcher listening on %s:%d", self.host, self.port)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The SMTP_URL that points Regie at this catcher."""
        return f"smtp://{self.host}:{self.port}"

    def refuse(self, address: str) -> None:
        """Answer every e-mail to `address` from now on with a permanent refusal (550)."""
        with self._lock:
            self._refused.setdefault(address.lower(), 0)

    def refusals(self, address: str) -> int:
        """How many times an e-mail to `address` was refused."""
        with self._lock:
            return self._refused.get(address.lower(), 0)

    def _refuses(self, address: str) -> bool:
        with self._lock:
            if address.lower() not in self._refused:
                return False
            self._refused[address.lower()] += 1
            return True

    def messages(self) -> list[CaughtMessage]:
        """A snapshot, oldest first."""
        with self._lock:
            return list(self._messages)

    def get(self, message_id: str) -> CaughtMessage | None:
        """The message with catcher id `message_id`, for a mailbox page."""
        with self._lock:
            return next((m for m in self._messages if m.id == message_id), None)

    def clear(self) -> None:
        """Empties the mailbox, including the store file so a restart does not bring it back,
        and accepts every address again."""
        with self._lock:
            self._messages.clear()
            self._refused.clear()
            if self.store_path is not None and self.store_path.exists():
                self.store_path.write_text("", encoding="utf-8")

    async def wait_for(
        self,
        predicate: Callable[[CaughtMessage], bool],
        # A plain timeout argument rather than asyncio.timeout(): callers poll a mailbox
        # filled by another thread, and the error should say what did arrive.
        timeout: float = 5.0,
        *,
        count: int = 1,
    ) -> list[CaughtMessage]:
        """Polls until at least `count` messages match `predicate`; returns all that match.

        Raises TimeoutError naming the subjects that did arrive, which is usually enough to
        see what went wrong in a test.
        """
        deadline = time.monotonic() + timeout
        while True:
            matching = [m for m in self.messages() if predicate(m)]
            if len(matching) >= count:
                return matching
            if time.monotonic() >= deadline:
                subjects = [m.subject for m in self.messages()]
                raise TimeoutError(
                    f"{len(matching)} of {count} expected e-mails arrived within {timeout}s; "
                    f"mailbox holds {subjects}"
                )
            await asyncio.sleep(_POLL_SECONDS)

    def _add(self, message: CaughtMessage) -> None:
        with self._lock:
            self._messages.append(message)
            if self.store_path is not None:
                self.store_path.parent.mkdir(parents=True, exist_ok=True)
                with self.store_path.open("a", encoding="utf-8") as store:
                    store.write(message.to_json() + "\n")

    def _load(self) -> list[CaughtMessage]:
        if self.store_path is None or not self.store_path.exists():
            return []
        loaded: list[CaughtMessage] = []
        for number, line in enumerate(
            self.store_path.read_text(encoding="utf-8").splitlines(), start=1
        ):
            if not line.strip():
                continue
            try:
                loaded.append(CaughtMessage.from_json(line))
            except (ValueError, TypeError, KeyError):
                # A crash mid-write leaves a torn last line; losing one dev e-mail is fine.
                logger.warning("skipping unreadable line %d in %s", number, self.store_path)
        return loaded


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago; for tests that need a closed port to fail against."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
