"""When a school's yearly review is due, and whether it is late. Pure date arithmetic."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SCHOOL_TZ = ZoneInfo("Europe/Amsterdam")
# A review counts as done on time when it started within this long after its date.
LATE_AFTER = timedelta(days=30)


def occurrence(year: int, month: int, day: int, at: time) -> datetime:
    # A day that a month lacks (30 February) falls back to the month's last day.
    for candidate in (day, 30, 29, 28):
        if candidate <= day:
            try:
                return datetime.combine(date(year, month, candidate), at, tzinfo=SCHOOL_TZ)
            except ValueError:
                continue
    raise ValueError(f"no date in month {month}")


def next_due(now: datetime, month: int, day: int, at: time) -> datetime:
    this_year = occurrence(now.year, month, day, at)
    return this_year if this_year > now else occurrence(now.year + 1, month, day, at)


def last_due(now: datetime, month: int, day: int, at: time) -> datetime:
    this_year = occurrence(now.year, month, day, at)
    return this_year if this_year <= now else occurrence(now.year - 1, month, day, at)


def review_missed(
    now: datetime, *, month: int, day: int, at: time, last_started: datetime | None, paused: bool
) -> bool:
    """The last due date passed a month ago and no review started since then."""
    if paused:
        return False
    due = last_due(now, month, day, at)
    if now - due < LATE_AFTER:
        return False
    return last_started is None or last_started < due - timedelta(days=1)
