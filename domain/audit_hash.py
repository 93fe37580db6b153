"""The audit log's hash chain: pure functions, no I/O.

Every audit event carries the hash of the board's event before it (`prev_hash`, 64 zeros for
a board's first) and its own `hash = sha256(prev_hash || canonical JSON of its fields)`. An
event edited, removed or slipped in afterwards breaks the chain at that point, and
`ChainWalker` names the first event where it does.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainFields:
    """What the hash covers: every field of an audit event but its id and the hashes."""

    board: str
    incident: str | None
    review: str | None
    task: str | None
    step: str | None
    kind: str
    actor: str | None
    detail: Mapping[str, Any]
    at: datetime
    key: str


def canonical(fields: ChainFields) -> bytes:
    """One byte string per event: sorted keys, no spaces, UTC time to the microsecond."""
    if fields.at.tzinfo is None:
        raise ValueError("an audit event's time must carry its time zone")
    document = {
        "board": fields.board,
        "incident": fields.incident,
        "review": fields.review,
        "task": fields.task,
        "step": fields.step,
        "kind": fields.kind,
        "actor": fields.actor,
        "detail": fields.detail,
        "at": fields.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "key": fields.key,
    }
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def link_hash(prev_hash: str, fields: ChainFields) -> str:
    """The hex SHA-256 of the previous event's hash followed by this event's canonical form."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


class Break(StrEnum):
    prev_hash = "prev_hash"  # does not name the event before it: one was removed or inserted
    hash = "hash"  # the event's fields are not the ones its hash was made of: it was edited


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    board: str
    reason: Break
    expected: str
    found: str

    def describe(self) -> str:
        if self.reason is Break.prev_hash:
            return (
                f"event {self.event_id} (board {self.board}): its prev_hash {self.found[:16]}…"
                f" is not the hash of the event before it ({self.expected[:16]}…);"
                " an event was removed, inserted or reordered here"
            )
        return (
            f"event {self.event_id} (board {self.board}): its stored hash {self.found[:16]}…"
            f" does not match its fields ({self.expected[:16]}…); the event was changed"
        )


class ChainWalker:
    """Checks one board's events, fed in chain (id) order; remembers the first break."""

    def __init__(self, board: str) -> None:
        self.board = board
        self.count = 0
        self.broken: BrokenLink | None = None
        self._last = GENESIS

    def feed(
        self, event_id: int, prev_hash: str | None, stored: str | None, f: ChainFields
    ) -> None:
        self.count += 1
        if self.broken is not None:
            return
        if prev_hash != self._last:
            self.broken = BrokenLink(
                event_id, self.board, Break.prev_hash, self._last, prev_hash or ""
            )
            return
        computed = link_hash(prev_hash, f)
        if stored != computed:
            self.broken = BrokenLink(event_id, self.board, Break.hash, computed, stored or "")
            return
        self._last = computed
