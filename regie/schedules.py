"""One Temporal Schedule per school for the yearly policy review.

Why a Temporal Schedule and not an in-process scheduler such as APScheduler: the schedule is
kept by the Temporal server, so it survives restarts, fires once however many api and worker
replicas run, catches up on a review missed during an outage, and every run shows in the
Temporal UI and in the history.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from store import policy_reviews
from store.db import Pool
from store.policy_reviews import ReviewSettings
from workflows.contracts import RetentionInput, ReviewInput
from workflows.policy_review import PolicyReviewWorkflow
from workflows.retention import RetentionWorkflow

TIME_ZONE = "Europe/Amsterdam"
# A review missed while Temporal was down still runs when it is back within this window.
CATCHUP_WINDOW = timedelta(days=30)


def schedule_id(school_id: str) -> str:
    return f"policy-review-{school_id}"


@dataclass(frozen=True)
class ScheduleStatus:
    paused: bool
    next_runs: list[datetime]
    recent_runs: list[datetime]


def _schedule(settings: ReviewSettings, task_queue: str) -> Schedule:
    at: time = settings.at_time
    return Schedule(
        action=ScheduleActionStartWorkflow(
            PolicyReviewWorkflow.run,
            ReviewInput(school_id=settings.school_id, board_id=settings.board_id),
            id=schedule_id(settings.school_id),
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    month=[ScheduleRange(settings.month)],
                    day_of_month=[ScheduleRange(settings.day)],
                    hour=[ScheduleRange(at.hour)],
                    minute=[ScheduleRange(at.minute)],
                    second=[ScheduleRange(at.second)],
                    comment="yearly policy review",
                )
            ],
            time_zone_name=TIME_ZONE,
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=CATCHUP_WINDOW),
        state=ScheduleState(
            paused=settings.paused,
            note="paused by the board" if settings.paused else "",
        ),
    )


async def ensure_schedule(client: Client, settings: ReviewSettings, *, task_queue: str) -> None:
    """Create the school's schedule, or bring it in step with the settings. Safe to repeat."""
    wanted = _schedule(settings, task_queue)
    try:
        await client.create_schedule(schedule_id(settings.school_id), wanted)
        return
    except ScheduleAlreadyRunningError:
        pass

    def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(schedule=wanted)

    await client.get_schedule_handle(schedule_id(settings.school_id)).update(update)


async def bootstrap(client: Client, pool: Pool, *, task_queue: str) -> int:
    """Create or update every school's schedule and the daily retention schedule; returns
    how many schools there are."""
    async with pool.connection() as conn:
        every = await policy_reviews.all_settings(conn)
    for settings in every:
        await ensure_schedule(client, settings, task_queue=task_queue)
    await ensure_retention_schedule(client, task_queue=task_queue)
    return len(every)


RETENTION_SCHEDULE_ID = "retention-daily"
RETENTION_AT = time(3, 0)


def _retention_schedule(task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            RetentionWorkflow.run,
            RetentionInput(),
            id=RETENTION_SCHEDULE_ID,
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    hour=[ScheduleRange(RETENTION_AT.hour)],
                    minute=[ScheduleRange(RETENTION_AT.minute)],
                    second=[ScheduleRange(0)],
                    comment="daily erasure of personal details past their retention term",
                )
            ],
            time_zone_name=TIME_ZONE,
        ),
        # A run missed during an outage is caught up once; the next day's run would do it too.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=1)),
    )


async def ensure_retention_schedule(client: Client, *, task_queue: str) -> None:
    """Create the one daily retention schedule, or bring it in step. Safe to repeat."""
    wanted = _retention_schedule(task_queue)
    try:
        await client.create_schedule(RETENTION_SCHEDULE_ID, wanted)
        return
    except ScheduleAlreadyRunningError:
        pass

    def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(schedule=wanted)

    await client.get_schedule_handle(RETENTION_SCHEDULE_ID).update(update)


async def status(client: Client, school_id: str) -> ScheduleStatus | None:
    handle: ScheduleHandle = client.get_schedule_handle(schedule_id(school_id))
    try:
        described = await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return ScheduleStatus(
        paused=described.schedule.state.paused,
        next_runs=list(described.info.next_action_times),
        recent_runs=[a.scheduled_at for a in described.info.recent_actions],
    )


async def run_now(client: Client, school_id: str) -> None:
    """Start a review now, also when the schedule is paused; never a second one at once."""
    await client.get_schedule_handle(schedule_id(school_id)).trigger(
        overlap=ScheduleOverlapPolicy.SKIP
    )
