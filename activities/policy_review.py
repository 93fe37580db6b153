"""The yearly policy review's side effects: its counts, its tasks, reminders and outcome."""

from datetime import datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import metrics
from activities.deps import Deps
from activities.notify import send_to_staff
from domain.policy import REVIEW_ROLE, TITLES, PolicyReviewAnswer, ReviewTaskKind
from domain.roles import Role, pick_assignee
from notifications.links import task_link
from notifications.messages import MessageKind
from store import answers, audit, directory, policy_reviews, tasks
from store.directory import Conn
from workflows.contracts import (
    ReviewAlarm,
    ReviewContext,
    ReviewFinish,
    ReviewReassign,
    ReviewStart,
    ReviewTaskClose,
    ReviewTaskInput,
)

YEAR = timedelta(days=365)


# The step label of the yearly policy review's tasks, in the audit log and the metrics.
REVIEW = "policy_review"


class PolicyReviewActivities:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    @activity.defn
    async def start_review(self, inp: ReviewStart) -> ReviewContext:
        """Record the review with the year's counts; the lessons' text stays in PostgreSQL."""
        async with self._deps.pool.connection() as conn:
            stats = await policy_reviews.year_stats(
                conn, school_id=inp.school_id, since=inp.at - YEAR, until=inp.at
            )
            await policy_reviews.start_review(
                conn,
                review_id=inp.review_id,
                school_id=inp.school_id,
                started_at=inp.at,
                stats={**stats, "since": (inp.at - YEAR).isoformat(), "until": inp.at.isoformat()},
            )
            await audit.record(
                conn,
                key=f"review_started:{inp.review_id}",
                kind="review_started",
                at=inp.at,
                incident_id=None,
                review_id=inp.review_id,
                board_id=inp.board_id,
                detail={"incidents": int(stats["incidents"]), "lessons": int(stats["lessons"])},
            )
            holders = await directory.role_holders(conn, school_id=inp.school_id)
            deadlines = await directory.deadline_settings(conn, board_id=inp.board_id)
        assignee = pick_assignee(REVIEW_ROLE, holders)
        if assignee is None:
            raise ApplicationError(
                f"school {inp.school_id} has nobody to review its policy; add a school leader"
            )
        return ReviewContext(
            school_leader_id=holders.get(Role.school_leader),
            board_adviser_id=holders.get(Role.board_safeguarding),
            assignee_id=assignee,
            deadline=deadlines.policy_review,
            grace=deadlines.escalation_grace,
            incidents=int(stats["incidents"]),
            lessons=int(stats["lessons"]),
        )

    @activity.defn
    async def open_review_task(self, inp: ReviewTaskInput) -> None:
        async with self._deps.pool.connection() as conn:
            await tasks.insert_review_task(
                conn,
                task_id=inp.task_id,
                review_id=inp.review_id,
                kind=inp.kind,
                assignee_id=inp.assignee_id,
                opened_at=inp.opened_at,
                due_at=inp.due_at,
            )
            await _audit_task(
                conn, inp.review_id, inp.task_id, "task_opened", key=f"task_opened:{inp.task_id}",
                at=inp.opened_at, detail={"kind": inp.kind, "assignee": inp.assignee_id},
            )  # fmt: skip
        await self._mail(
            MessageKind.task_assigned, inp, key=f"task_assigned:{inp.task_id}:1",
            to=inp.assignee_id, link=self._link(inp.task_id, inp.assignee_id, 1),
        )  # fmt: skip
        metrics.record(metrics.TASKS_OPENED, task_id=inp.task_id, step=REVIEW, urgent="false")

    @activity.defn
    async def close_review_task(self, inp: ReviewTaskClose) -> None:
        async with self._deps.pool.connection() as conn:
            await tasks.close(
                conn, task_id=inp.task_id, status="done", at=inp.at, answer_id=inp.answer_id
            )
            await _audit_task(
                conn, inp.review_id, inp.task_id, "task_done",
                key=f"task_closed:{inp.task_id}:{inp.answer_id}", at=inp.at,
                actor_id=inp.actor_id, detail={"answer": inp.answer_id},
            )  # fmt: skip
        metrics.record(metrics.TASKS_CLOSED, task_id=inp.task_id, step=REVIEW, outcome="done")

    @activity.defn
    async def reassign_review_task(self, inp: ReviewReassign) -> None:
        async with self._deps.pool.connection() as conn:
            await tasks.reassign(
                conn, task_id=inp.task_id, assignee_id=inp.to_id, assignment=inp.assignment
            )
            await _audit_task(
                conn, inp.review_id, inp.task_id, "task_reassigned",
                key=f"task_reassigned:{inp.task_id}:{inp.assignment}", at=inp.at,
                actor_id=inp.actor_id, detail={"from": inp.from_id, "to": inp.to_id},
            )  # fmt: skip
        await self._mail(
            MessageKind.task_assigned, inp, key=f"task_assigned:{inp.task_id}:{inp.assignment}",
            to=inp.to_id, link=self._link(inp.task_id, inp.to_id, inp.assignment),
        )  # fmt: skip
        metrics.record(metrics.TASKS_REASSIGNED, task_id=inp.task_id, step=REVIEW)

    @activity.defn
    async def review_alarm(self, inp: ReviewAlarm) -> None:
        """A reminder to the school leader, or an escalation to the board."""
        reminder = inp.level == 0
        event = "task_reminded" if reminder else "task_escalated"
        async with self._deps.pool.connection() as conn:
            if reminder:
                await tasks.mark_reminded(conn, task_id=inp.task_id, at=inp.at)
            else:
                await tasks.raise_escalation(conn, task_id=inp.task_id, level=inp.level)
            await _audit_task(
                conn, inp.review_id, inp.task_id, event, key=f"{event}:{inp.task_id}:{inp.level}",
                at=inp.at, detail={"level": inp.level, "to": inp.recipient_id},
            )  # fmt: skip
        message = MessageKind.task_reminder if reminder else MessageKind.task_escalated
        await self._mail(
            message, inp, key=f"{message.value}:{inp.task_id}:{inp.level}", to=inp.recipient_id,
            link=self._link(inp.task_id, inp.assignee_id, inp.assignment)
            if reminder
            else f"{self._deps.base_url.rstrip('/')}/board",
            escalation_level=inp.level,
        )  # fmt: skip
        if reminder:
            metrics.record(metrics.TASKS_REMINDED, task_id=inp.task_id, step=REVIEW)
        else:
            metrics.record(
                metrics.TASKS_ESCALATED,
                task_id=inp.task_id,
                step=REVIEW,
                escalation_level=str(inp.level),
            )

    @activity.defn
    async def finish_review(self, inp: ReviewFinish) -> None:
        async with self._deps.pool.connection() as conn:
            answer = PolicyReviewAnswer.model_validate(
                await answers.get_body(conn, answer_id=inp.policy_answer_id)
            )
            await policy_reviews.close_review(
                conn,
                review_id=inp.review_id,
                at=inp.at,
                policy_changed=answer.policy_changed,
                change=answer.change,
                new_version_date=answer.new_version_date,
            )
            await audit.record(
                conn,
                key=f"review_closed:{inp.review_id}",
                kind="review_closed",
                at=inp.at,
                incident_id=None,
                review_id=inp.review_id,
                detail={"policy_changed": answer.policy_changed},
            )

    async def _mail(
        self,
        kind: MessageKind,
        about: ReviewTaskInput | ReviewReassign | ReviewAlarm,
        *,
        key: str,
        to: str,
        link: str,
        escalation_level: int = 0,
    ) -> None:
        """An e-mail about one of the review's tasks: its school, title and deadline."""
        await send_to_staff(
            self._deps,
            key=key,
            kind=kind,
            staff_id=to,
            incident_id=None,
            school_id=about.school_id,
            task_kind=None,
            task_title=TITLES[ReviewTaskKind(about.kind)],
            task_id=about.task_id,
            deadline=about.due_at,
            link=link,
            escalation_level=escalation_level,
        )

    def _link(self, task_id: str, assignee_id: str, assignment: int) -> str:
        return task_link(
            self._deps.base_url,
            self._deps.secret_key,
            task_id=task_id,
            assignee_id=assignee_id,
            assignment=assignment,
        )


async def _audit_task(
    conn: Conn,
    review_id: str,
    task_id: str,
    kind: str,
    *,
    key: str,
    at: datetime,
    detail: dict[str, Any],
    actor_id: str | None = None,
) -> None:
    """An audit event of one of the review's tasks (no incident; the step is the review)."""
    await audit.record(
        conn,
        key=key,
        kind=kind,
        at=at,
        incident_id=None,
        review_id=review_id,
        task_id=task_id,
        step=REVIEW,
        actor_id=actor_id,
        detail=detail,
    )
