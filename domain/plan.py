"""The step plan as a dependency graph: which steps open, which are skipped, and when.

Steps that do not depend on each other run in parallel: assess and support open at once.
Report first, delete afterwards: removal never opens before the report step is closed.
The victim's voice comes first: inform opens only after support is closed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from domain.forms.assess import AssessOutcome
from domain.rules import report_needed
from domain.steps import STEP_ORDER, Step


class StepStatus(StrEnum):
    waiting = "waiting"
    open = "open"
    done = "done"
    not_applicable = "not_applicable"
    skipped = "skipped"
    cancelled = "cancelled"


CLOSED: frozenset[StepStatus] = frozenset(
    {StepStatus.done, StepStatus.not_applicable, StepStatus.skipped, StepStatus.cancelled}
)


@dataclass(frozen=True)
class Moves:
    open: list[Step] = field(default_factory=list)
    skip: list[Step] = field(default_factory=list)


def media_triggered(assessment: AssessOutcome | None, inquiries: int) -> bool:
    return inquiries > 0 or (assessment is not None and assessment.media_risk)


def next_moves(
    statuses: Mapping[Step, StepStatus],
    *,
    assessment: AssessOutcome | None,
    media_inquiries: int,
    follow_up_open: bool,
) -> Moves:
    """The steps to open and to skip now. Apply the moves, then ask again until none remain."""

    def closed(step: Step) -> bool:
        return statuses[step] in CLOSED

    def waiting(step: Step) -> bool:
        return statuses[step] is StepStatus.waiting

    to_open: list[Step] = []
    to_skip: list[Step] = []

    for step in (Step.assess, Step.support):
        if waiting(step):
            to_open.append(step)

    if assessment is not None and closed(Step.assess):
        if waiting(Step.report):
            (to_open if report_needed(assessment) else to_skip).append(Step.report)
        if waiting(Step.remove) and closed(Step.report):
            to_open.append(Step.remove)
        if waiting(Step.confront):
            to_open.append(Step.confront)
        if waiting(Step.inform) and closed(Step.support):
            to_open.append(Step.inform)

    triggered = media_triggered(assessment, media_inquiries)
    if statuses[Step.media] in (StepStatus.waiting, StepStatus.skipped) and triggered:
        to_open.append(Step.media)

    before_evaluate = [s for s in STEP_ORDER if s not in (Step.media, Step.evaluate)]
    if (
        waiting(Step.evaluate)
        and not to_open
        and all(closed(s) for s in before_evaluate)
        and not follow_up_open
        and statuses[Step.media] is not StepStatus.open
    ):
        to_open.append(Step.evaluate)
        if waiting(Step.media):
            # No media risk and no inquiry so far; an inquiry later still opens the step.
            to_skip.append(Step.media)

    return Moves(open=to_open, skip=to_skip)


def incident_finished(statuses: Mapping[Step, StepStatus], *, follow_up_open: bool) -> bool:
    return all(status in CLOSED for status in statuses.values()) and not follow_up_open
