"""Request and response bodies of the JSON API."""

from datetime import datetime
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.plan import StepStatus
from domain.policy import ReviewTaskKind
from domain.roles import Role
from domain.steps import Step, TaskKind


def _email(value: str) -> str:
    # Reserved test domains (.test, .example) are valid here: demo and test boards use them.
    try:
        return validate_email(value, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"not an e-mail address: {exc}") from None


Email = Annotated[str, AfterValidator(_email)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewIncident(Model):
    school_id: str = Field(min_length=1, max_length=64)
    summary: str = Field(
        min_length=1,
        max_length=2000,
        description="A short description in words. Never an image or a link to one.",
    )


class TaskBrief(Model):
    id: str
    kind: TaskKind | ReviewTaskKind
    status: str
    assignee_id: str | None
    due_at: datetime | None


class StepOut(Model):
    step: Step
    status: StepStatus
    tasks: list[TaskBrief]


class IncidentOut(Model):
    id: str
    reference: str
    school_id: str
    status: Literal["open", "closed", "cancelled"]
    steps: list[StepOut]
    linked_incident_ids: list[str]
    created_at: datetime


class IncidentSummary(Model):
    id: str
    reference: str
    school_id: str
    status: Literal["open", "closed", "cancelled"]
    created_at: datetime


class IncidentPage(Model):
    items: list[IncidentSummary]
    next_cursor: str | None


class HistoryItem(Model):
    at: datetime
    source: Literal["audit", "temporal"] = "audit"
    kind: str  # an audit kind, or temporal:<EventType> for a Temporal event
    step: str | None
    task: str | None = None
    actor: str | None
    detail: dict[str, Any]


class History(Model):
    items: list[HistoryItem]
    # Whether the workflow's Temporal history is merged in: gone after the retention period.
    temporal_history: Literal["included", "unavailable"] = "unavailable"
    note: str = ""


class Reason(Model):
    reason: str = Field(min_length=1, max_length=2000)


class OptionalText(Model):
    text: str = Field(default="", max_length=2000)


class TaskOut(Model):
    id: str
    incident_id: str | None
    review_id: str | None = None
    step: Step | Literal["policy_review"]
    kind: TaskKind | ReviewTaskKind
    status: str
    assignee_id: str | None
    due_at: datetime | None
    escalation_level: int
    form_schema: dict[str, Any]
    guidance: str


class TaskResult(Model):
    task_id: str
    status: str
    accepted: bool = True
    opens: list[Step] = Field(default_factory=list)


class NewAssignee(Model):
    assignee_id: str = Field(min_length=1, max_length=64)


class SchoolOut(Model):
    id: str
    name: str


class RoleGrant(Model):
    role: Role
    school_id: str | None = None


class StaffOut(Model):
    id: str
    name: str
    email: str
    language: str
    roles: list[RoleGrant]


class NewStaff(Model):
    name: str = Field(min_length=1, max_length=200)
    email: Email
    language: Literal["nl", "en"] = "nl"
    roles: list[RoleGrant] = Field(min_length=1, max_length=20)


class SignInRequest(Model):
    email: Email
