"""The yearly policy review of a school: its date, pause, start now, and its reviews."""

import calendar
from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from api.access import forbidden
from api.auth import CurrentUser
from api.deps import Db, Rt
from api.principal import Principal
from domain.roles import Role
from regie import schedules
from store import directory, policy_reviews
from store.directory import Conn

router = APIRouter(prefix="/api/schools", tags=["policy review"])

# A time of day on the board's clock (Europe/Amsterdam), without a zone: JSON Schema's "time"
# format demands an offset, which this value neither has nor takes.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "local time of day, e.g. 09:00",
        }
    ),
]


class ReviewSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    at_time: LocalTime = time(9, 0)
    paused: bool = Field(default=False, strict=True)

    @field_validator("at_time")
    @classmethod
    def _local(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("give the local time of day without a zone, e.g. 09:00")
        return value

    @model_validator(mode="after")
    def _a_real_date(self) -> "ReviewSettingsIn":
        # A date that exists every year: 29 February would skip three years out of four.
        longest = 28 if self.month == 2 else calendar.monthrange(2025, self.month)[1]
        if self.day > longest:
            raise ValueError(f"day: month {self.month} has {longest} days every year")
        return self


class ReviewOut(BaseModel):
    id: str
    year: int
    status: str
    started_at: datetime
    closed_at: datetime | None
    policy_changed: bool | None
    change: str
    stats: dict[str, Any]


class PolicyReviewOut(BaseModel):
    school_id: str
    month: int
    day: int
    at_time: LocalTime
    paused: bool
    own_date: bool
    next_runs: list[datetime]
    recent_runs: list[datetime]
    reviews: list[ReviewOut]


async def _school(conn: Conn, who: Principal, school_id: str) -> None:
    if await directory.school_board(conn, school_id=school_id) != who.board_id:
        raise HTTPException(404, "no such school, or not one of yours")
    if who.task_scope is not None or not (
        who.sees_whole_board or who.leads_or_coordinates(school_id)
    ):
        raise HTTPException(404, "no such school, or not one of yours")


@router.get("/{school_id}/policy-review")
async def get_policy_review(school_id: str, who: CurrentUser, conn: Db, rt: Rt) -> PolicyReviewOut:
    await _school(conn, who, school_id)
    return await _out(conn, rt, school_id)


@router.put("/{school_id}/policy-review")
async def set_policy_review(
    school_id: str, body: ReviewSettingsIn, who: CurrentUser, conn: Db, rt: Rt
) -> PolicyReviewOut:
    await _school(conn, who, school_id)
    _board_admin(who)
    await policy_reviews.save_settings(
        conn,
        school_id=school_id,
        month=body.month,
        day=body.day,
        at_time=body.at_time,
        paused=body.paused,
    )
    settings = await policy_reviews.settings_for(conn, school_id=school_id)
    assert settings is not None
    # The schedule follows the stored settings; should Temporal refuse, nothing is committed.
    await schedules.ensure_schedule(rt.temporal, settings, task_queue=rt.settings.task_queue)
    await conn.commit()
    return await _out(conn, rt, school_id)


@router.post("/{school_id}/policy-review/run", status_code=status.HTTP_202_ACCEPTED)
async def run_policy_review(school_id: str, who: CurrentUser, conn: Db, rt: Rt) -> dict[str, str]:
    await _school(conn, who, school_id)
    _board_admin(who)
    settings = await policy_reviews.settings_for(conn, school_id=school_id)
    assert settings is not None
    await schedules.ensure_schedule(rt.temporal, settings, task_queue=rt.settings.task_queue)
    await schedules.run_now(rt.temporal, school_id)
    return {"status": "a review starts now, unless one is still running"}


def _board_admin(who: Principal) -> None:
    if not who.has_board_role(Role.board_admin):
        raise forbidden("only the board's functional admin changes the policy review")


async def _out(conn: Conn, rt: Any, school_id: str) -> PolicyReviewOut:
    settings = await policy_reviews.settings_for(conn, school_id=school_id)
    assert settings is not None
    state = await schedules.status(rt.temporal, school_id)
    reviews = await policy_reviews.reviews_of_school(conn, school_id=school_id)
    return PolicyReviewOut(
        school_id=school_id,
        month=settings.month,
        day=settings.day,
        at_time=settings.at_time,
        paused=state.paused if state else settings.paused,
        own_date=settings.own_date,
        # A paused schedule still computes its times, but none of them will run.
        next_runs=state.next_runs if state and not state.paused else [],
        recent_runs=state.recent_runs if state else [],
        reviews=[
            ReviewOut(
                id=r["id"], year=r["year"], status=r["status"], started_at=r["started_at"],
                closed_at=r["closed_at"], policy_changed=r["policy_changed"],
                change=r["change"], stats=r["stats"],
            )
            for r in reviews
        ],
    )  # fmt: skip
