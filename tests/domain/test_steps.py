"""The step catalogue: the eight steps of the guidance, their roles, deadlines and forms."""

import pytest

from domain.deadlines import parse_duration
from domain.forms.assess import AssessAnswer, ReferralCriterion
from domain.forms.base import Answer, Outcome
from domain.forms.registry import answer_model, outcome_model
from domain.roles import Role
from domain.steps import STEP_ORDER, STEPS, TASK_KINDS, Step, TaskKind, main_kind, title

GUIDANCE_ORDER = [
    Step.assess,
    Step.support,
    Step.report,
    Step.remove,
    Step.confront,
    Step.inform,
    Step.media,
    Step.evaluate,
]


def test_there_are_eight_steps_numbered_one_to_eight_in_guidance_order() -> None:
    assert len(STEPS) == 8
    assert list(STEP_ORDER) == GUIDANCE_ORDER
    assert [STEPS[step].number for step in STEP_ORDER] == list(range(1, 9))


def test_every_spec_is_filed_under_its_own_step() -> None:
    assert all(spec.step is step for step, spec in STEPS.items())


@pytest.mark.parametrize(
    ("step", "role"),
    [
        (Step.assess, Role.coordinator),
        (Step.support, Role.support),
        (Step.report, Role.coordinator),
        (Step.remove, Role.coordinator),
        (Step.confront, Role.school_leader),
        (Step.inform, Role.school_leader),
        (Step.media, Role.communications),
        (Step.evaluate, Role.school_leader),
    ],
)
def test_default_role_of_each_step(step: Step, role: Role) -> None:
    assert STEPS[step].role is role


@pytest.mark.parametrize("step", [Step.assess, Step.evaluate])
def test_assess_and_evaluate_can_never_be_not_applicable(step: Step) -> None:
    assert STEPS[step].not_applicable_allowed is False
    assert TASK_KINDS[main_kind(step)].not_applicable_allowed is False


@pytest.mark.parametrize(
    "step",
    [Step.support, Step.report, Step.remove, Step.confront, Step.inform, Step.media],
)
def test_other_steps_may_end_as_not_applicable(step: Step) -> None:
    assert STEPS[step].not_applicable_allowed is True
    assert TASK_KINDS[main_kind(step)].not_applicable_allowed is True


@pytest.mark.parametrize(
    ("step", "waits_for"),
    [
        (Step.report, {Step.assess}),
        (Step.remove, {Step.assess, Step.report}),
        (Step.confront, {Step.assess}),
        (Step.inform, {Step.assess, Step.support}),
    ],
)
def test_steps_wait_for_the_steps_the_guidance_puts_first(step: Step, waits_for: set[Step]) -> None:
    assert set(STEPS[step].waits_for) == waits_for


@pytest.mark.parametrize("step", list(Step))
def test_every_default_deadline_is_a_valid_duration(step: Step) -> None:
    assert parse_duration(STEPS[step].default_deadline).total_seconds() > 0


def test_every_task_kind_is_in_the_catalogue() -> None:
    assert set(TASK_KINDS) == set(TaskKind)


@pytest.mark.parametrize("kind", list(TaskKind))
def test_every_task_kind_has_a_form_with_an_outcome_model(kind: TaskKind) -> None:
    form = TASK_KINDS[kind].form
    assert issubclass(form, Answer)
    assert issubclass(form.outcome_model, Outcome)
    assert answer_model(kind) is form
    assert outcome_model(kind) is form.outcome_model


@pytest.mark.parametrize("step", list(Step))
def test_main_task_kind_of_a_step_shares_its_form_role_and_titles(step: Step) -> None:
    kind_spec = TASK_KINDS[main_kind(step)]
    spec = STEPS[step]
    assert kind_spec.step is step
    assert kind_spec.form is spec.form
    assert kind_spec.role is spec.role
    assert title(main_kind(step), "nl") == spec.title_nl
    assert title(main_kind(step), "en") == spec.title_en


def test_contact_outside_school_is_a_coordinators_follow_up_of_assess() -> None:
    spec = TASK_KINDS[TaskKind.contact_outside_school]
    assert spec.step is Step.assess
    assert spec.role is Role.coordinator
    assert spec.not_applicable_allowed is True


def test_title_falls_back_to_dutch_for_unknown_languages() -> None:
    assert title(TaskKind.assess, "de") == "Bepaal omvang en impact"
    assert title(TaskKind.assess, "en") == "Determine scope and impact"


def test_assess_form_asks_for_the_decision_fields() -> None:
    fields = set(AssessAnswer.model_fields)
    assert {
        "possible_csam",
        "has_url",
        "media_risk",
        "other_school_ids",
        "outside_school_involved",
        "immediate_referral",
    } <= fields


def test_immediate_referral_has_the_six_criteria() -> None:
    assert {c.value for c in ReferralCriterion} == {
        "adult_involved",
        "coercion_or_blackmail",
        "capacity_to_consent",
        "violent_or_unusual",
        "under_13",
        "risk_of_harm",
    }
