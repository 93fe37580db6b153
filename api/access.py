"""Who may see and do what: every route asks here, so the rules live in one place.

- Board roles see every school of their board. Auditors read lists and history only.
- Coordinators and school leaders see all incidents of their school; other school staff only
  incidents in which they hold a task.
- Nobody sees another board. An incident one may not see answers 404, not 403, so its
  existence is not disclosed; 403 is for incidents one sees but may not change.
- A session from a task link reaches that task only.
"""

from enum import StrEnum

from fastapi import HTTPException, status

from api.principal import Principal
from domain.roles import Role
from store import incidents, policy_reviews, tasks
from store.directory import Conn
from store.incidents import Incident
from store.tasks import TaskRow


class Action(StrEnum):
    view = "view"  # details: steps, tasks
    history = "history"
    signal = "signal"  # media inquiry, new information
    cancel = "cancel"


def not_found(what: str = "incident") -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"no such {what}, or not one of yours")


def forbidden(message: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, message)


async def visible(conn: Conn, who: Principal, incident: Incident) -> bool:
    if incident.board_id != who.board_id:
        return False
    if who.sees_whole_board or who.leads_or_coordinates(incident.school_id):
        return True
    return await incidents.has_task_of(conn, incident_id=incident.id, staff_id=who.staff_id)


async def incident_for(conn: Conn, who: Principal, incident_id: str, action: Action) -> Incident:
    incident = await incidents.get_incident(conn, incident_id=incident_id)
    if incident is None or not await visible(conn, who, incident):
        raise not_found()
    if who.task_scope is not None:
        raise forbidden("this sign-in is for one task only; sign in with your e-mail for more")
    if who.reads_history_only and action is not Action.history:
        raise forbidden("auditors read an incident's history only")
    if action is Action.cancel and not (
        who.leads_or_coordinates(incident.school_id) or who.has_board_role(Role.board_safeguarding)
    ):
        raise forbidden("only the school's coordinator or leader, or the board's adviser, cancels")
    if action is Action.signal and who.reads_history_only:
        raise forbidden("auditors cannot change an incident")
    return incident


def may_create_at(who: Principal, school_id: str) -> bool:
    return who.leads_or_coordinates(school_id) or who.has_board_role(Role.board_safeguarding)


async def readable_task(conn: Conn, who: Principal, task_id: str) -> TaskRow:
    """A task the person may read: their own, or one of an incident they may see."""
    task, _incident = await readable_task_and_incident(conn, who, task_id)
    return task


async def readable_task_and_incident(
    conn: Conn, who: Principal, task_id: str
) -> tuple[TaskRow, Incident | None]:
    """`readable_task`, and the task's incident (None for a task of the yearly review) as the
    same statement read it, for a caller that needs its school or reference too."""
    found = await tasks.get_task_and_incident(conn, task_id=task_id)
    if found is None:
        raise not_found("task")
    task, incident = found
    if who.task_scope is not None and who.task_scope != task.id:
        raise not_found("task")
    if task.assignee_id == who.staff_id and who.task_scope is not None:
        return task, incident
    if task.review_id is not None:
        review = await policy_reviews.get_review(conn, review_id=task.review_id)
        if review is None or review["board_id"] != who.board_id:
            raise not_found("task")
        if not (
            task.assignee_id == who.staff_id
            or who.sees_whole_board
            or who.leads_or_coordinates(str(review["school_id"]))
        ):
            raise not_found("task")
        if who.reads_history_only:
            raise forbidden("auditors read an incident's history only")
        return task, None
    if incident is None or not (
        # The task's assignee holds a task in its incident: no need to ask which.
        (task.assignee_id == who.staff_id and incident.board_id == who.board_id)
        or await visible(conn, who, incident)
    ):
        raise not_found("task")
    if who.reads_history_only:
        raise forbidden("auditors read an incident's history only")
    return task, incident


def may_reassign(who: Principal, task: TaskRow, school_id: str) -> bool:
    return (
        task.assignee_id == who.staff_id
        or who.leads_or_coordinates(school_id)
        or who.has_board_role(Role.board_safeguarding, Role.board_admin)
    )
