"""The yearly policy review: its Schedule per school and the PolicyReviewWorkflow."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest_asyncio
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from domain.policy import ReviewTaskKind
from domain.roles import Role
from notifications.catcher import MailCatcher
from regie import schedules
from store import audit, policy_reviews, tasks
from store.db import Pool
from tests.fixtures.api import Api
from tests.fixtures.temporal import BIN
from tests.fixtures.world import Harness, World, make_world, running_worker
from tests.workflows.test_replay import HISTORIES, RECORD
from workflows.contracts import ReviewInput, ReviewResult
from workflows.policy_review import PolicyReviewWorkflow

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

POLICY = {
    "in_place": ["social_media_policy", "forbidden", "response"],
    "improvements": "Mediabeleid toevoegen",
    "policy_changed": True,
    "change": "Appgroepen en media toegevoegd",
    "new_version_date": "2026-12-01",
}


async def _lesson(pool: Pool, world: World, at: datetime, text: str) -> None:
    """A closed incident with an evaluation's lesson, dated `at`."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "INSERT INTO incidents (id, reference, board_id, school_id, status, created_at)"
            " VALUES (gen_random_uuid()::text, 'RG-T-' || gen_random_uuid()::text, %s, %s,"
            " 'closed', %s) RETURNING id",
            (world.board_id, world.school.id, at),
        )
        row = await cur.fetchone()
        assert row is not None
        await conn.execute(
            "INSERT INTO lessons (incident_id, school_id, board_id, went_well, can_be_better,"
            " policy_change_needed, created_at) VALUES (%s, %s, %s, 'snel', %s, true, %s)",
            (row["id"], world.school.id, world.board_id, text, at),
        )


async def _review_tasks(pool: Pool, review_id: str, count: int = 3) -> list[tasks.TaskRow]:
    for _ in range(200):
        async with pool.connection() as conn:
            rows = await tasks.tasks_of_review(conn, review_id=review_id)
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError("the review's tasks never opened")


async def _events(pool: Pool, review_id: str, kind: str, count: int) -> list[audit.AuditEvent]:
    for _ in range(200):
        async with pool.connection() as conn:
            found = [
                e for e in await audit.events_of_review(conn, review_id=review_id) if e.kind == kind
            ]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} {kind} events")


async def _start_review(
    h: Harness, world: World, run: str
) -> WorkflowHandle[PolicyReviewWorkflow, ReviewResult]:
    """A review of the world's first school, on the harness's client and task queue."""
    return await h.client.start_workflow(
        PolicyReviewWorkflow.run,
        ReviewInput(school_id=world.school.id, board_id=world.board_id),
        id=f"policy-review-test-{world.tag}-{run}",
        task_queue=h.task_queue,
    )


@pytest_asyncio.fixture
async def own_time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of this test's own: it moves the clock by a year and more,
    which other tests sharing the session's server must not feel."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    try:
        yield env
    finally:
        await env.shutdown()


async def test_a_review_with_its_tasks_reminder_escalation_and_lessons_then_a_second_year(
    own_time_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    time_env = own_time_env
    world = await make_world(pool, schools=1)
    # The time-skipping server's clock, which earlier tests may have moved far ahead.
    now = await time_env.get_current_time()
    await _lesson(pool, world, now - timedelta(days=60), "Ouders eerder betrekken")
    await _lesson(pool, world, now - timedelta(days=500), "Te oud voor dit jaar")
    leader = world.school.staff[Role.school_leader]
    adviser = world.board_staff[Role.board_safeguarding]
    histories = []
    async with running_worker(time_env.client, pool, mail) as h:
        handle = await _start_review(h, world, "1")
        review_id = handle.id
        rows = await _review_tasks(pool, review_id)
        assert {r.kind for r in rows} == {k.value for k in ReviewTaskKind}
        assert {r.assignee_id for r in rows} == {leader}
        snap = await handle.query(PolicyReviewWorkflow.snapshot)
        assert snap.lessons == 1  # this year's evaluation only
        async with pool.connection() as conn:
            review = await policy_reviews.get_review(conn, review_id=review_id)
            lessons = await policy_reviews.lessons_between(
                conn, school_id=world.school.id, since=now - timedelta(days=365), until=now
            )
        assert review is not None and review["stats"]["lessons"] == 1
        assert [lesson["can_be_better"] for lesson in lessons] == ["Ouders eerder betrekken"]

        # Reminder at two thirds of 30 days; the school leader is the assignee, so the board's
        # adviser hears of it at the deadline.
        await time_env.sleep(timedelta(days=21))
        reminders = await _events(pool, review_id, "task_reminded", 3)
        assert {e.detail["to"] for e in reminders} == {leader}
        await time_env.sleep(timedelta(days=10))
        escalations = await _events(pool, review_id, "task_escalated", 3)
        assert {(e.detail["level"], e.detail["to"]) for e in escalations} == {(2, adviser)}

        for row in rows:
            answer = POLICY if row.kind == "review_policy" else {"in_place": []}
            await h.service.complete_task(task_id=row.id, actor_id=leader, answer=answer)
        result = await handle.result()
        assert isinstance(result, ReviewResult) and result.policy_changed
        async with pool.connection() as conn:
            closed = await policy_reviews.get_review(conn, review_id=review_id)
        assert closed is not None and closed["status"] == "closed"
        assert closed["change"] == "Appgroepen en media toegevoegd"
        histories.append(await handle.fetch_history())

        # A year later: the next review counts that year's lessons, not last year's.
        await time_env.sleep(timedelta(days=330))
        later = await time_env.get_current_time()
        assert later - now > timedelta(days=305)  # last year's lesson is out of the window
        await _lesson(pool, world, later - timedelta(days=30), "Een les van dit nieuwe jaar")
        second = await _start_review(h, world, "2")
        await _review_tasks(pool, second.id)
        snap = await second.query(PolicyReviewWorkflow.snapshot)
        assert snap.lessons == 1
        async with pool.connection() as conn:
            both = await policy_reviews.reviews_of_school(conn, school_id=world.school.id)
        assert len(both) == 2 and both[0]["year"] >= both[1]["year"]
        await second.terminate("test finished")

    if RECORD:
        (HISTORIES / "policy-review.json").write_text(histories[0].to_json())
    replayer = Replayer(workflows=[PolicyReviewWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(histories[0])


async def test_recorded_review_history_replays() -> None:
    path = HISTORIES / "policy-review.json"
    assert path.exists(), "record it: REGIE_RECORD_HISTORIES=1 pytest tests/policy"
    replayer = Replayer(workflows=[PolicyReviewWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(WorkflowHistory.from_json("policy-review", path.read_text()))


async def test_the_schedule_fires_on_its_date_and_then_waits_a_year(api: Api, pool: Pool) -> None:
    admin = api.as_(api.board_staff(Role.board_admin))
    school = api.world.school.id
    soon = datetime.now(AMSTERDAM) + timedelta(seconds=4)
    body = {
        "month": soon.month,
        "day": soon.day,
        "at_time": soon.strftime("%H:%M:%S"),
        "paused": False,
    }
    response = await api.client.put(
        f"/api/schools/{school}/policy-review", json=body, headers=admin
    )
    assert response.status_code == 200, response.text
    try:
        for _ in range(300):
            async with pool.connection() as conn:
                reviews = await policy_reviews.reviews_of_school(conn, school_id=school)
            if reviews:
                break
            await asyncio.sleep(0.05)
        assert reviews, "the schedule never started a review"
        assert reviews[0]["id"].startswith(schedules.schedule_id(school))
        await _review_tasks(pool, reviews[0]["id"])
        state = (await api.client.get(f"/api/schools/{school}/policy-review", headers=admin)).json()
        next_run = datetime.fromisoformat(state["next_runs"][0]).astimezone(AMSTERDAM)
        assert (next_run.year, next_run.month, next_run.day) == (
            soon.year + 1,
            soon.month,
            soon.day,
        )
        assert state["recent_runs"]
    finally:
        await _end_reviews(api, pool, school)


async def test_pause_run_now_and_a_new_date(api: Api, pool: Pool) -> None:
    admin = api.as_(api.board_staff(Role.board_admin))
    school = api.world.school.id
    path = f"/api/schools/{school}/policy-review"
    paused = await api.client.put(path, json={"month": 3, "day": 14, "paused": True}, headers=admin)
    assert paused.status_code == 200 and paused.json()["paused"] is True
    assert paused.json()["next_runs"] == []  # paused: nothing planned
    try:
        ran = await api.client.post(f"{path}/run", headers=admin)
        assert ran.status_code == 202
        for _ in range(200):
            async with pool.connection() as conn:
                reviews = await policy_reviews.reviews_of_school(conn, school_id=school)
            if reviews:
                break
            await asyncio.sleep(0.05)
        assert reviews, "run-now started no review"

        moved = await api.client.put(
            path, json={"month": 6, "day": 30, "at_time": "10:30:00"}, headers=admin
        )
        first = datetime.fromisoformat(moved.json()["next_runs"][0]).astimezone(AMSTERDAM)
        assert (first.month, first.day, first.hour, first.minute) == (6, 30, 10, 30)

        refused = await api.client.put(path, json={"month": 2, "day": 30}, headers=admin)
        assert refused.status_code == 422
        leader = api.as_(api.school_staff(Role.school_leader))
        assert (await api.client.get(path, headers=leader)).status_code == 200
        assert (await api.client.post(f"{path}/run", headers=leader)).status_code == 403
        other = api.as_(api.school_staff(Role.school_leader, school=1))
        assert (await api.client.get(path, headers=other)).status_code == 404
    finally:
        await _end_reviews(api, pool, school)


async def test_bootstrap_twice_makes_one_schedule_per_school(api: Api, pool: Pool) -> None:
    client = api.runtime.temporal
    queue = api.runtime.settings.task_queue
    await schedules.bootstrap(client, pool, task_queue=queue)
    await schedules.bootstrap(client, pool, task_queue=queue)
    ours = {schedules.schedule_id(s.id) for s in api.world.schools}
    for schedule_id in ours:
        described = await client.get_schedule_handle(schedule_id).describe()
        assert described.schedule.spec.time_zone_name == "Europe/Amsterdam"
    # The list is eventually consistent on the dev server: wait until it shows them all.
    found: list[str] = []
    for _ in range(100):
        found = [s.id async for s in await client.list_schedules() if s.id in ours]
        if set(found) == ours:
            break
        await asyncio.sleep(0.1)
    assert sorted(found) == sorted(ours), "every school has exactly one schedule"
    for schedule_id in ours:
        await client.get_schedule_handle(schedule_id).delete()


async def _end_reviews(api: Api, pool: Pool, school_id: str) -> None:
    async with pool.connection() as conn:
        reviews = await policy_reviews.reviews_of_school(conn, school_id=school_id)
    for review in reviews:
        with contextlib.suppress(Exception):
            await api.runtime.temporal.get_workflow_handle(review["id"]).terminate("test finished")
    await api.runtime.temporal.get_schedule_handle(schedules.schedule_id(school_id)).delete()


async def test_the_board_sees_each_schools_review(api: Api, pool: Pool) -> None:
    from store import sessions

    async with pool.connection() as conn:
        done = api.world.schools[0].id
        await policy_reviews.start_review(
            conn,
            review_id=f"review-{api.world.tag}",
            school_id=done,
            started_at=datetime.now(UTC) - timedelta(days=3),
            stats={},
        )
        await policy_reviews.close_review(
            conn,
            review_id=f"review-{api.world.tag}",
            at=datetime.now(UTC),
            policy_changed=True,
            change="Appgroepen opgenomen in het beleid",
            new_version_date=None,
        )
        # School 1's date was two months ago, and it never reviewed.
        past = datetime.now(AMSTERDAM) - timedelta(days=60)
        await policy_reviews.save_settings(
            conn,
            school_id=api.world.schools[1].id,
            month=past.month,
            day=min(past.day, 28),
            at_time=past.time().replace(microsecond=0),
            paused=False,
        )
        session = await sessions.create_session(
            conn, staff_id=api.board_staff(Role.board_safeguarding), ttl=timedelta(hours=1)
        )
    page = await api.client.get(
        "/board", cookies={"regie_session": session}, headers={"accept": "text/html"}
    )
    assert page.status_code == 200
    section = page.text[page.text.index('id="policy-review"') :]
    rows = section.split("<tr>")[2:]
    first = next(r for r in rows if api.world.schools[0].name in r)
    second = next(r for r in rows if api.world.schools[1].name in r)
    assert "Appgroepen opgenomen in het beleid" in first and "te laat" not in first.lower()
    assert "Te laat" in second


async def test_a_review_task_handed_to_the_coordinator_reaches_them(
    dev_env: WorkflowEnvironment, pool: Pool, mail: MailCatcher
) -> None:
    world = await make_world(pool, schools=1)
    leader = world.school.staff[Role.school_leader]
    coordinator = world.school.staff[Role.coordinator]
    async with running_worker(dev_env.client, pool, mail) as h:
        handle = await _start_review(h, world, "reassign")
        rows = await _review_tasks(pool, handle.id)
        task = next(r for r in rows if r.kind == "review_policy")
        await h.service.reassign(task_id=task.id, actor_id=leader, assignee_id=coordinator)

        [moved] = await _events(pool, handle.id, "task_reassigned", 1)
        assert moved.task_id == task.id and moved.step == "policy_review"
        assert moved.actor_id == leader
        assert moved.detail == {"from": leader, "to": coordinator}
        [told] = await mail.wait_for(lambda m: world.emails[coordinator] in m.to)
        assert told.subject.startswith("Nieuwe taak")
        assert world.school.name in told.subject
        # The new assignee answers it.
        await h.service.complete_task(task_id=task.id, actor_id=coordinator, answer=POLICY)
        [closed] = await _events(pool, handle.id, "task_done", 1)
        assert closed.actor_id == coordinator
        await handle.terminate("test finished")
