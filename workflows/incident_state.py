"""The incident workflow's own state: its tasks and the effects its handlers leave for the run.

Kept apart from workflows/incident.py and imported through the sandbox's passthrough: the
sandbox runs a workflow's module afresh for every new workflow, and making these dataclasses
was half of that (bench/: worker CPU per incident). Plain data, no module state, nothing
non-deterministic, so one definition serves every run.
"""

from dataclasses import dataclass, field
from datetime import datetime

from domain.forms.base import Outcome
from domain.steps import Step, TaskKind
from workflows.contracts import MediaInquiry, NewInformation, TaskRef, TaskView


@dataclass
class TaskState:
    task_id: str
    step: Step
    kind: TaskKind
    status: str = "waiting"  # waiting | open | done | not_applicable | cancelled | skipped
    assignee_id: str | None = None
    urgent: bool = False
    opened_at: datetime | None = None
    due_at: datetime | None = None
    escalation_level: int = 0
    assignment: int = 1
    fired: set[str] = field(default_factory=set)
    refusals: int = 0

    def ref(self, incident_id: str) -> TaskRef:
        return TaskRef(
            incident_id=incident_id, task_id=self.task_id, step=self.step, kind=self.kind
        )

    def view(self) -> TaskView:
        return TaskView(
            task_id=self.task_id,
            step=self.step,
            kind=self.kind,
            status=self.status,
            assignee_id=self.assignee_id,
            urgent=self.urgent,
            opened_at=self.opened_at,
            due_at=self.due_at,
            escalation_level=self.escalation_level,
            assignment=self.assignment,
        )


# Things that happened in a handler and still need their side effects, in arrival order.
@dataclass
class Closed:
    task: TaskState
    actor_id: str
    answer_id: str | None = None
    reason_id: str | None = None
    outcome: Outcome | None = None


@dataclass
class Reassigned:
    task: TaskState
    actor_id: str
    from_id: str


@dataclass
class InquiryArrived:
    number: int
    signal: MediaInquiry


@dataclass
class InformationArrived:
    number: int
    signal: NewInformation


Effect = Closed | Reassigned | InquiryArrived | InformationArrived
