"""Deadlines, the reminder and the two levels of escalation of a task.

A reminder goes to the assignee when two thirds of the time has passed. At the deadline the
task escalates to the school leader; after a grace period to the board's safeguarding adviser.
A level whose person is the assignee is skipped, and the next level takes its place in time:
a school leader who misses their own deadline is escalated to the board at the deadline, not a
grace period later, because nobody else at the school would act on it.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from domain.steps import Step

_DURATION = TypeAdapter(timedelta)
MAX_DURATION = timedelta(days=120)


def parse_duration(value: str) -> timedelta:
    """An ISO-8601 duration such as PT4H or P5D; raises ValueError with a usable message."""
    if not isinstance(value, str) or not value.startswith("P"):
        raise ValueError(f"{value!r} is not an ISO-8601 duration; write it like PT4H or P5D")
    try:
        duration = _DURATION.validate_python(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an ISO-8601 duration; write it like PT4H or P5D"
        ) from None
    if duration <= timedelta(0):
        raise ValueError(f"{value!r} must be longer than zero; write it like PT4H or P5D")
    if duration > MAX_DURATION:
        raise ValueError(
            f"{value!r} is longer than {MAX_DURATION.days} days; choose a shorter one, like P20D"
        )
    return duration


def _valid_duration(value: str) -> str:
    parse_duration(value)
    return value


Duration = Annotated[str, AfterValidator(_valid_duration)]


def _default_deadlines() -> dict[Step, str]:
    from domain.steps import STEPS

    return {step: spec.default_deadline for step, spec in STEPS.items()}


class DeadlineSettings(BaseModel):
    """A board's deadlines. Kept in PostgreSQL and read by the workflow through an activity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: dict[Step, Duration] = Field(default_factory=_default_deadlines)
    urgent: Duration = "PT1H"
    escalation_grace: Duration = "PT24H"
    urgent_escalation_grace: Duration = "PT1H"
    # Each task of the yearly policy review.
    policy_review: Duration = "P30D"

    def for_step(self, step: Step, *, urgent: bool) -> timedelta:
        if urgent:
            return parse_duration(self.urgent)
        return parse_duration(self.steps.get(step) or _default_deadlines()[step])

    def grace(self, *, urgent: bool) -> timedelta:
        return parse_duration(self.urgent_escalation_grace if urgent else self.escalation_grace)

    def merged(self, changes: dict[Step, str]) -> "DeadlineSettings":
        """These settings with some steps' deadlines changed; every duration is checked."""
        return DeadlineSettings.model_validate(
            {**self.model_dump(), "steps": {**self.steps, **changes}}
        )


class AlarmKind(StrEnum):
    reminder = "reminder"
    escalation = "escalation"


@dataclass(frozen=True)
class Alarm:
    key: str  # stable per task: "reminder", "escalation-1", "escalation-2"
    kind: AlarmKind
    at: datetime
    level: int  # 0 for the reminder; 1 school leader; 2 board safeguarding adviser
    recipient_id: str


def alarms_for(
    *,
    opened_at: datetime,
    due_at: datetime,
    grace: timedelta,
    assignee_id: str,
    school_leader_id: str | None,
    board_adviser_id: str | None,
) -> list[Alarm]:
    """Every alarm of one task, in time order."""
    alarms = [
        Alarm(
            key="reminder",
            kind=AlarmKind.reminder,
            at=opened_at + (due_at - opened_at) * 2 / 3,
            level=0,
            recipient_id=assignee_id,
        )
    ]
    levels = [
        (level, person)
        for level, person in ((1, school_leader_id), (2, board_adviser_id))
        if person and person != assignee_id
    ]
    for slot, (level, person) in enumerate(levels):
        alarms.append(
            Alarm(
                key=f"escalation-{level}",
                kind=AlarmKind.escalation,
                at=due_at + grace * slot,
                level=level,
                recipient_id=person,
            )
        )
    return alarms


def pending_alarms(
    *,
    is_open: bool,
    opened_at: datetime | None,
    due_at: datetime | None,
    fired: Collection[str],
    grace: timedelta,
    assignee_id: str | None,
    school_leader_id: str | None,
    board_adviser_id: str | None,
) -> list[Alarm]:
    """The alarms of an open task that have not fired yet, in time order; none for a task
    that is not open (or not assigned yet)."""
    if not is_open or opened_at is None or due_at is None or assignee_id is None:
        return []
    return [
        alarm
        for alarm in alarms_for(
            opened_at=opened_at,
            due_at=due_at,
            grace=grace,
            assignee_id=assignee_id,
            school_leader_id=school_leader_id,
            board_adviser_id=board_adviser_id,
        )
        if alarm.key not in fired
    ]
