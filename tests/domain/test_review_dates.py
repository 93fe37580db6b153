"""When a yearly review is due and when it is late."""

from datetime import datetime, time, timedelta

from domain.review_dates import SCHOOL_TZ, last_due, next_due, occurrence, review_missed

NINE = time(9, 0)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SCHOOL_TZ)


def test_next_due_is_this_year_until_the_date_passes() -> None:
    assert next_due(at(2026, 3, 1), 9, 15, NINE) == occurrence(2026, 9, 15, NINE)
    assert next_due(at(2026, 9, 16), 9, 15, NINE) == occurrence(2027, 9, 15, NINE)


def test_last_due_is_the_latest_date_not_in_the_future() -> None:
    assert last_due(at(2026, 9, 16), 9, 15, NINE) == occurrence(2026, 9, 15, NINE)
    assert last_due(at(2026, 3, 1), 9, 15, NINE) == occurrence(2025, 9, 15, NINE)


def test_a_day_the_month_lacks_falls_back_to_its_last_day() -> None:
    assert occurrence(2026, 2, 30, NINE).day == 28
    assert occurrence(2028, 2, 30, NINE).day == 29


def test_a_review_is_missed_a_month_after_its_date_without_one() -> None:
    now = at(2026, 11, 1)
    assert review_missed(now, month=9, day=15, at=NINE, last_started=None, paused=False)
    assert not review_missed(now, month=10, day=15, at=NINE, last_started=None, paused=False)
    started = occurrence(2026, 9, 15, NINE) + timedelta(hours=1)
    assert not review_missed(now, month=9, day=15, at=NINE, last_started=started, paused=False)
    assert not review_missed(now, month=9, day=15, at=NINE, last_started=None, paused=True)
