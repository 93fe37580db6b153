"""What crosses the Temporal boundary: workflow inputs, updates, signals, activity arguments.

Only ids, enums, booleans, counts and times: the claim check. Names and free text stay in
PostgreSQL and travel as the id of the row that holds them (`answer_id`, `note_id`).
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.deadlines import DeadlineSettings
from domain.forms.assess import ReferralCriterion
from domain.forms.report import ReportRoute
from domain.plan import StepStatus
from domain.roles import Role
from domain.steps import Step, TaskKind

Id = str


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def incident_workflow_id(incident_id: Id) -> str:
    return f"incident-{incident_id}"


# --- the workflow's input, result, updates, signals and query -------------------------------


class IncidentInput(Contract):
    incident_id: Id
    board_id: Id
    school_id: Id
    origin_incident_id: Id | None = None
    # Schools that already have an incident in this group: a linked incident never opens
    # another at these, so links cannot loop.
    group_school_ids: list[Id] = Field(default_factory=list)


class IncidentResult(Contract):
    incident_id: Id
    status: str
    tasks: int


class CompleteTask(Contract):
    task_id: Id
    actor_id: Id
    answer_id: Id
    outcome: dict[str, Any]


class NotApplicable(Contract):
    task_id: Id
    actor_id: Id
    reason_id: Id


class Reassign(Contract):
    task_id: Id
    actor_id: Id
    assignee_id: Id


class UpdateResult(Contract):
    task_id: Id
    status: str
    opens: list[Step] = Field(default_factory=list)


class MediaInquiry(Contract):
    actor_id: Id | None = None
    note_id: Id | None = None


class NewInformation(Contract):
    actor_id: Id | None = None
    note_id: Id | None = None


class Cancel(Contract):
    actor_id: Id | None
    reason_id: Id


class TaskView(Contract):
    task_id: Id
    step: Step
    kind: TaskKind
    status: str
    assignee_id: Id | None
    urgent: bool
    opened_at: datetime | None
    due_at: datetime | None
    escalation_level: int
    assignment: int


class IncidentSnapshot(Contract):
    incident_id: Id
    school_id: Id
    status: str
    steps: dict[Step, StepStatus]
    tasks: list[TaskView]
    linked_incident_ids: list[Id]
    media_inquiries: int
    new_information: int


# --- activity arguments ------------------------------------------------------------------------


class IncidentRef(Contract):
    incident_id: Id
    board_id: Id
    school_id: Id


class IncidentContext(Contract):
    holders: dict[Role, Id]
    deadlines: DeadlineSettings


class TaskRef(Contract):
    incident_id: Id
    task_id: Id
    step: Step
    kind: TaskKind


class PlanTasksInput(Contract):
    incident_id: Id
    tasks: list[TaskRef]


class SkipTaskInput(Contract):
    task: TaskRef
    at: datetime


class OpenTaskInput(Contract):
    task: TaskRef
    assignee_id: Id
    urgent: bool
    opened_at: datetime
    due_at: datetime


class CloseTaskInput(Contract):
    task: TaskRef
    status: str  # done | not_applicable
    actor_id: Id
    answer_id: Id | None = None
    reason_id: Id | None = None
    at: datetime


class ReopenTaskInput(Contract):
    task: TaskRef
    assignee_id: Id
    refusal: int
    labels: int  # how many persons were named; never who
    due_at: datetime
    at: datetime


class ReassignTaskInput(Contract):
    task: TaskRef
    actor_id: Id
    from_id: Id
    to_id: Id
    assignment: int
    due_at: datetime
    at: datetime


class AlarmInput(Contract):
    task: TaskRef
    alarm_key: str
    level: int
    recipient_id: Id
    assignee_id: Id
    assignment: int
    due_at: datetime
    at: datetime


class CancelTasksInput(Contract):
    incident_id: Id
    tasks: list[tuple[TaskRef, Id]]  # (task, assignee): open tasks, their assignees are told
    waiting: list[TaskRef] = Field(default_factory=list)  # planned tasks that never opened
    actor_id: Id | None
    reason_id: Id
    at: datetime


class IncidentStatusInput(Contract):
    incident_id: Id
    status: str  # closed | cancelled
    actor_id: Id | None = None
    at: datetime


class AuditInput(Contract):
    incident_id: Id
    key: str
    kind: str
    at: datetime
    step: Step | None = None
    task_id: Id | None = None
    actor_id: Id | None = None
    detail: dict[str, str | int | bool | list[str]] = Field(default_factory=dict)


class ReferralAlertInput(Contract):
    incident_id: Id
    recipient_id: Id
    criteria: list[ReferralCriterion]
    at: datetime


class LinkedIncidentInput(Contract):
    origin_incident_id: Id
    school_id: Id
    at: datetime


class LinkedIncident(Contract):
    incident_id: Id
    board_id: Id
    school_id: Id


class ReportHandoffInput(Contract):
    task: TaskRef
    routes: list[ReportRoute]
    urgent: bool
    at: datetime


class RemovalInstructionsInput(Contract):
    task: TaskRef
    round: int
    at: datetime


class SendDocumentsInput(Contract):
    """Render the approved letters or statement from an answer, check them, send them."""

    task: TaskRef
    answer_id: Id
    approver_id: Id
    at: datetime


class StoreLessonsInput(Contract):
    task: TaskRef
    answer_id: Id


# --- the yearly policy review --------------------------------------------------------------


class ReviewInput(Contract):
    school_id: Id
    board_id: Id


class ReviewStart(Contract):
    review_id: Id
    school_id: Id
    board_id: Id
    at: datetime


class ReviewContext(Contract):
    school_leader_id: Id | None
    board_adviser_id: Id | None
    assignee_id: Id
    deadline: str  # ISO-8601, the board's policy_review setting
    grace: str
    incidents: int
    lessons: int


class ReviewTaskInput(Contract):
    review_id: Id
    school_id: Id
    task_id: Id
    kind: str
    assignee_id: Id
    opened_at: datetime
    due_at: datetime


class ReviewTaskClose(Contract):
    review_id: Id
    task_id: Id
    kind: str
    actor_id: Id
    answer_id: Id
    at: datetime


class ReviewAlarm(Contract):
    review_id: Id
    school_id: Id
    task_id: Id
    kind: str
    alarm_key: str
    level: int
    recipient_id: Id
    assignee_id: Id
    assignment: int
    due_at: datetime
    at: datetime


class ReviewReassign(Contract):
    review_id: Id
    school_id: Id
    task_id: Id
    kind: str
    actor_id: Id
    from_id: Id
    to_id: Id
    assignment: int
    due_at: datetime
    at: datetime


class ReviewFinish(Contract):
    review_id: Id
    policy_answer_id: Id
    at: datetime


class ReviewTaskView(Contract):
    task_id: Id
    kind: str
    status: str
    assignee_id: Id | None
    opened_at: datetime | None
    due_at: datetime | None
    escalation_level: int
    assignment: int


class ReviewSnapshot(Contract):
    review_id: Id
    school_id: Id
    status: str
    tasks: list[ReviewTaskView]
    incidents: int
    lessons: int


class ReviewResult(Contract):
    review_id: Id
    status: str
    policy_changed: bool


# --- retention ------------------------------------------------------------------------------


class RetentionInput(Contract):
    dry_run: bool = False


class EraseExpired(Contract):
    at: datetime
    dry_run: bool = False


class ErasureReport(Contract):
    """Counts only: how many incidents were (or would be) erased and what that blanked."""

    dry_run: bool
    incidents: int
    persons: int
    answers: int
    notes: int
    documents: int
    lessons: int
    # Answers stored for a task but never taken by its workflow, after the task was closed
    # another way (a retry during an outage stored a new one). Reports from before: 0.
    orphan_answers: int = 0
