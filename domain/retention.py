"""Retention: which incidents are past their board's term, and what of an answer may stay.

Pure functions; the store (store/retention.py) reads the rows and writes the erasure.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_TERM = "P2Y"
ENDED = frozenset({"closed", "cancelled"})

_TERM = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
# A value that may stay in an erased answer: an enum value or an id, never free text.
_IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def parse_term(value: str) -> tuple[int, int, int]:
    """An ISO-8601 term of years, months, weeks and days (e.g. P2Y, P18M) -> (y, m, days)."""
    match = _TERM.match(value.strip()) if isinstance(value, str) else None
    if match is None or value.strip() == "P":
        raise ValueError(f"{value!r} is not a retention term; write it like P2Y, P18M or P400D")
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    if years == months == weeks == days == 0:
        raise ValueError(f"{value!r} must be longer than zero; write it like P2Y")
    return years, months, weeks * 7 + days


def term_ends(closed_at: datetime, term: str) -> datetime:
    """The moment the term after `closed_at` ends (calendar years and months)."""
    years, months, days = parse_term(term)
    total = closed_at.month - 1 + months + 12 * years
    year, month = closed_at.year + total // 12, total % 12 + 1
    day = closed_at.day
    while True:
        try:
            moved = closed_at.replace(year=year, month=month, day=day)
            break
        except ValueError:  # 29 February, 31 April: the month's last day
            day -= 1
    return moved + timedelta(days=days)


def is_due(*, status: str, closed_at: datetime | None, term: str, now: datetime) -> bool:
    """Closed or cancelled, and its term after closing has passed."""
    if status not in ENDED or closed_at is None:
        return False
    if closed_at.tzinfo is None:
        closed_at = closed_at.replace(tzinfo=UTC)
    return term_ends(closed_at, term) < now


def anonymous_answer(body: Any) -> dict[str, Any]:
    """What of an answer survives erasure: booleans, numbers, and enum values or ids.

    Free text, names and descriptions go (a string that is not a short lowercase identifier,
    nested objects such as persons and channels); counts per role stay, so the statistics
    (kinds of image, deadlines, person counts) read the same before and after.
    """
    if not isinstance(body, dict):
        return {}
    kept: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, bool | int | float) or value is None:
            kept[key] = value
        elif isinstance(value, list) and all(
            isinstance(v, str) and _IDENTIFIER.match(v) for v in value
        ):
            kept[key] = list(value)
        elif isinstance(value, dict) and all(
            isinstance(k, str) and _IDENTIFIER.match(k) and isinstance(v, int)
            for k, v in value.items()
        ):
            kept[key] = dict(value)
    return kept
