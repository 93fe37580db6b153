"""The step catalogue: the eight steps of the guidance as data.

A step's key is the thread through the code base: its form is `domain/forms/<key>.py`, its
side effects `activities/<key>.py`, its tests are named after it.
"""

from dataclasses import dataclass
from enum import StrEnum

from domain.forms.assess import AssessAnswer
from domain.forms.base import Answer
from domain.forms.confront import ConfrontAnswer
from domain.forms.contact_outside_school import ContactOutsideSchoolAnswer
from domain.forms.evaluate import EvaluateAnswer
from domain.forms.inform import InformAnswer
from domain.forms.media import MediaAnswer
from domain.forms.remove import RemoveAnswer
from domain.forms.report import ReportAnswer
from domain.forms.support import SupportAnswer
from domain.roles import Role


class Step(StrEnum):
    assess = "assess"
    support = "support"
    report = "report"
    remove = "remove"
    confront = "confront"
    inform = "inform"
    media = "media"
    evaluate = "evaluate"


class TaskKind(StrEnum):
    """What a task asks of its person. Most steps have one kind, named after the step."""

    assess = "assess"
    support = "support"
    report = "report"
    remove = "remove"
    confront = "confront"
    inform = "inform"
    media = "media"
    evaluate = "evaluate"
    contact_outside_school = "contact_outside_school"


class Applies(StrEnum):
    """When a step is part of an incident."""

    always = "always"
    when_report_needed = "when_report_needed"  # possible CSAM, or an immediate referral
    when_media = "when_media"  # media risk at assess, or a media inquiry at any time


@dataclass(frozen=True)
class StepSpec:
    step: Step
    number: int
    title_nl: str
    title_en: str
    role: Role
    waits_for: tuple[Step, ...]
    applies: Applies
    default_deadline: str  # ISO-8601 duration
    form: type[Answer]
    not_applicable_allowed: bool


@dataclass(frozen=True)
class TaskKindSpec:
    kind: TaskKind
    step: Step
    title_nl: str
    title_en: str
    role: Role
    form: type[Answer]
    not_applicable_allowed: bool


STEPS: dict[Step, StepSpec] = {
    spec.step: spec
    for spec in (
        StepSpec(Step.assess, 1, "Bepaal omvang en impact", "Determine scope and impact",
                 Role.coordinator, (), Applies.always, "PT4H", AssessAnswer, False),
        StepSpec(Step.support, 2, "Sta het slachtoffer bij", "Support the victim",
                 Role.support, (), Applies.always, "PT4H", SupportAnswer, True),
        StepSpec(Step.report, 3, "Meld het misbruik", "Report the abuse",
                 Role.coordinator, (Step.assess,), Applies.when_report_needed, "PT24H",
                 ReportAnswer, True),
        StepSpec(Step.remove, 4, "Verwijder de beelden", "Remove the images",
                 Role.coordinator, (Step.assess, Step.report), Applies.always, "PT48H",
                 RemoveAnswer, True),
        StepSpec(Step.confront, 5, "Spreek de betrokkenen aan", "Confront those responsible",
                 Role.school_leader, (Step.assess,), Applies.always, "P5D", ConfrontAnswer,
                 True),
        StepSpec(Step.inform, 6, "Informeer de ouders", "Inform the parents",
                 Role.school_leader, (Step.assess, Step.support), Applies.always, "P5D",
                 InformAnswer, True),
        StepSpec(Step.media, 7, "Bereid je voor op media-aandacht", "Prepare for the media",
                 Role.communications, (), Applies.when_media, "PT24H", MediaAnswer, True),
        StepSpec(Step.evaluate, 8, "Evalueer", "Evaluate",
                 Role.school_leader, (), Applies.always, "P20D", EvaluateAnswer, False),
    )
}  # fmt: skip

TASK_KINDS: dict[TaskKind, TaskKindSpec] = {
    **{
        TaskKind(spec.step.value): TaskKindSpec(
            TaskKind(spec.step.value), spec.step, spec.title_nl, spec.title_en, spec.role,
            spec.form, spec.not_applicable_allowed,
        )
        for spec in STEPS.values()
    },
    TaskKind.contact_outside_school: TaskKindSpec(
        TaskKind.contact_outside_school, Step.assess,
        "Neem contact op met de andere school", "Contact the other school",
        Role.coordinator, ContactOutsideSchoolAnswer, True,
    ),
}  # fmt: skip

STEP_ORDER: tuple[Step, ...] = tuple(sorted(STEPS, key=lambda s: STEPS[s].number))


def main_kind(step: Step) -> TaskKind:
    return TaskKind(step.value)


def title(kind: TaskKind, language: str) -> str:
    spec = TASK_KINDS[kind]
    return spec.title_en if language == "en" else spec.title_nl
