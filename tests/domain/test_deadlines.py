"""Deadlines, the reminder and the two levels of escalation."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from domain.deadlines import (
    Alarm,
    AlarmKind,
    DeadlineSettings,
    alarms_for,
    parse_duration,
    pending_alarms,
)
from domain.steps import Step

# parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT4H", timedelta(hours=4)),
        ("P5D", timedelta(days=5)),
        ("PT30M", timedelta(minutes=30)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("P120D", timedelta(days=120)),
    ],
)
def test_parse_duration_accepts_iso_8601(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["4h", "", "-PT1H", "4 hours", "P", "PT4h"])
def test_parse_duration_rejects_what_is_not_iso_8601_and_says_how_to_write_it(text: str) -> None:
    with pytest.raises(ValueError, match="write it like PT4H or P5D") as error:
        parse_duration(text)
    assert repr(text) in str(error.value)


@pytest.mark.parametrize("text", ["P0D", "PT0S"])
def test_parse_duration_rejects_a_zero_duration(text: str) -> None:
    with pytest.raises(ValueError, match="must be longer than zero"):
        parse_duration(text)


def test_parse_duration_rejects_more_than_120_days_and_asks_for_a_shorter_one() -> None:
    with pytest.raises(ValueError, match="longer than 120 days; choose a shorter one"):
        parse_duration("P200D")


# DeadlineSettings


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (Step.assess, timedelta(hours=4)),
        (Step.support, timedelta(hours=4)),
        (Step.report, timedelta(hours=24)),
        (Step.remove, timedelta(hours=48)),
        (Step.confront, timedelta(days=5)),
        (Step.inform, timedelta(days=5)),
        (Step.media, timedelta(hours=24)),
        (Step.evaluate, timedelta(days=20)),
    ],
)
def test_default_deadline_of_each_step(step: Step, expected: timedelta) -> None:
    assert DeadlineSettings().for_step(step, urgent=False) == expected


@pytest.mark.parametrize("step", list(Step))
def test_urgent_deadline_is_one_hour_for_every_step(step: Step) -> None:
    assert DeadlineSettings().for_step(step, urgent=True) == timedelta(hours=1)


def test_default_grace_is_a_day_and_an_hour_when_urgent() -> None:
    settings = DeadlineSettings()
    assert settings.grace(urgent=False) == timedelta(hours=24)
    assert settings.grace(urgent=True) == timedelta(hours=1)


def test_merged_changes_only_the_given_steps() -> None:
    settings = DeadlineSettings().merged({Step.assess: "PT3H", Step.support: "P2D"})
    assert settings.for_step(Step.assess, urgent=False) == timedelta(hours=3)
    assert settings.for_step(Step.support, urgent=False) == timedelta(days=2)
    assert settings.for_step(Step.report, urgent=False) == timedelta(hours=24)


def test_merged_leaves_the_original_settings_unchanged() -> None:
    original = DeadlineSettings()
    original.merged({Step.assess: "PT3H"})
    assert original.for_step(Step.assess, urgent=False) == timedelta(hours=4)


def test_merged_refuses_an_invalid_duration() -> None:
    with pytest.raises(ValueError, match="write it like PT4H"):
        DeadlineSettings().merged({Step.assess: "4h"})


def test_a_step_missing_from_stored_settings_falls_back_to_its_default() -> None:
    settings = DeadlineSettings(steps={Step.assess: "PT2H"})
    assert settings.for_step(Step.assess, urgent=False) == timedelta(hours=2)
    assert settings.for_step(Step.evaluate, urgent=False) == timedelta(days=20)


@pytest.mark.parametrize("bad", ["4h", "P0D", "P200D"])
def test_settings_refuse_an_invalid_step_duration(bad: str) -> None:
    with pytest.raises(ValidationError):
        DeadlineSettings(steps={Step.assess: bad})


def test_settings_refuse_an_invalid_urgent_duration() -> None:
    with pytest.raises(ValidationError):
        DeadlineSettings(urgent="1 hour")


def test_settings_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        DeadlineSettings.model_validate({"reminder": "PT1H"})


# alarms_for

OPENED = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
DUE = OPENED + timedelta(hours=3)
GRACE = timedelta(hours=24)


def alarms(
    *,
    assignee: str = "coordinator-1",
    leader: str | None = "leader-1",
    adviser: str | None = "adviser-1",
) -> list[Alarm]:
    return alarms_for(
        opened_at=OPENED,
        due_at=DUE,
        grace=GRACE,
        assignee_id=assignee,
        school_leader_id=leader,
        board_adviser_id=adviser,
    )


def test_reminder_at_two_thirds_then_school_leader_at_deadline_then_board_after_grace() -> None:
    assert alarms() == [
        Alarm("reminder", AlarmKind.reminder, OPENED + timedelta(hours=2), 0, "coordinator-1"),
        Alarm("escalation-1", AlarmKind.escalation, DUE, 1, "leader-1"),
        Alarm("escalation-2", AlarmKind.escalation, DUE + GRACE, 2, "adviser-1"),
    ]


def test_alarms_are_in_time_order() -> None:
    times = [alarm.at for alarm in alarms()]
    assert times == sorted(times)


def test_school_leader_as_assignee_skips_level_one_and_board_is_told_at_the_deadline() -> None:
    assert alarms(assignee="leader-1") == [
        Alarm("reminder", AlarmKind.reminder, OPENED + timedelta(hours=2), 0, "leader-1"),
        Alarm("escalation-2", AlarmKind.escalation, DUE, 2, "adviser-1"),
    ]


def test_board_adviser_as_assignee_leaves_only_the_school_leader_escalation() -> None:
    assert alarms(assignee="adviser-1") == [
        Alarm("reminder", AlarmKind.reminder, OPENED + timedelta(hours=2), 0, "adviser-1"),
        Alarm("escalation-1", AlarmKind.escalation, DUE, 1, "leader-1"),
    ]


@pytest.mark.parametrize("leader", [None, ""])
def test_missing_school_leader_skips_level_one_and_board_is_told_at_the_deadline(
    leader: str | None,
) -> None:
    assert alarms(leader=leader)[1:] == [
        Alarm("escalation-2", AlarmKind.escalation, DUE, 2, "adviser-1"),
    ]


def test_missing_board_adviser_leaves_only_the_school_leader_escalation() -> None:
    assert [a.key for a in alarms(adviser=None)] == ["reminder", "escalation-1"]


def test_reminder_at_two_thirds_of_a_five_day_deadline() -> None:
    found = alarms_for(
        opened_at=OPENED,
        due_at=OPENED + timedelta(days=5),
        grace=GRACE,
        assignee_id="a",
        school_leader_id="b",
        board_adviser_id="c",
    )
    assert found[0].at == OPENED + timedelta(days=5) * 2 / 3


# pending_alarms: what a workflow still has to fire for one task


def pending(
    *,
    is_open: bool = True,
    assignee: str | None = "coordinator-1",
    opened: datetime | None = OPENED,
    fired: frozenset[str] = frozenset(),
) -> list[str]:
    return [
        alarm.key
        for alarm in pending_alarms(
            is_open=is_open,
            opened_at=opened,
            due_at=DUE,
            fired=fired,
            grace=GRACE,
            assignee_id=assignee,
            school_leader_id="leader-1",
            board_adviser_id="adviser-1",
        )
    ]


def test_an_open_task_has_every_alarm_that_has_not_fired() -> None:
    assert pending() == ["reminder", "escalation-1", "escalation-2"]
    assert pending(fired=frozenset({"reminder"})) == ["escalation-1", "escalation-2"]
    assert pending(fired=frozenset({"reminder", "escalation-1", "escalation-2"})) == []


@pytest.mark.parametrize(
    "task",
    [{"is_open": False}, {"assignee": None}, {"opened": None}],
    ids=["closed", "unassigned", "not-opened"],
)
def test_a_task_that_is_not_open_and_assigned_has_none(task: dict[str, object]) -> None:
    assert pending(**task) == []  # type: ignore[arg-type]
