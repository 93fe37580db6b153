"""The task forms: answers keep names and free text; outcomes (sent to Temporal) never do."""

from typing import Any

import pytest
from pydantic import ValidationError

from domain.forms.assess import (
    AgeBand,
    AssessAnswer,
    ChannelKind,
    PersonRole,
    ReferralCriterion,
)
from domain.forms.base import Answer
from domain.forms.confront import Sanction
from domain.forms.contact_outside_school import ContactMethod, ContactOutsideSchoolOutcome
from domain.forms.remove import RemovalMethod
from domain.forms.report import ReportRoute
from domain.forms.support import Audience, HelpArranged, SupportAnswer, SupportOutcome
from domain.steps import TASK_KINDS, TaskKind
from tests.domain.builders import assessment

# Distinctive strings that must never reach an outcome (and so never a Temporal payload).
VICTIM = "Zwaantje Oosterbroek"
SPREADER = "Quirijn Vlasbloem"
CHANNEL = "Klas-2B-roddelgroep-K9"
NOTE = "vertrouwelijk-briefje-7Q3X"
FREE = "vrije-tekst-M4RK"  # any other free-text field
LETTER = f"Beste ouders, er zijn beelden gedeeld in een appgroep van de klas. {FREE}"

VALID: dict[TaskKind, dict[str, Any]] = {
    TaskKind.assess: {
        "image_kinds": ["nude_or_sexual"],
        "depicted_is_our_pupil": True,
        "depicted_age": "13_15",
        "spreader_is_our_pupil": True,
        "possible_csam": True,
        "has_url": False,
        "media_risk": False,
        "other_school_ids": ["school-2"],
        "outside_school_involved": True,
        "immediate_referral": [],
        "channels": [
            {"kind": "app_group", "description": CHANNEL},
            {"kind": "app_group", "description": f"{CHANNEL}-2"},
            {"kind": "social_media", "description": f"{FREE} instagram"},
        ],
        "persons": [
            {"role": "victim", "name": VICTIM},
            {"role": "spreader", "name": SPREADER},
            {"role": "recipient", "name": f"{FREE} Piet"},
            {"role": "recipient", "name": f"{FREE} Klaas", "is_our_pupil": False},
        ],
        "notes": NOTE,
    },
    TaskKind.support: {
        "victim_at_our_school": True,
        "said_not_your_fault": True,
        "no_indirect_blame": True,
        "asked_what_victim_needs": True,
        "help": ["helpwanted"],
        "victim_consulted_on_informing": True,
        "victim_agrees_to_inform": ["parents_of_depicted"],
        "victim_needs": f"{VICTIM} wil niet dat de school het weet",
        "notes": NOTE,
    },
    TaskKind.report: {
        "filed": [
            {"route": "hetstoptbijjou", "reference": f"REF-{FREE}"},
            {"route": "police", "reference": ""},
        ],
        "notes": NOTE,
    },
    TaskKind.remove: {
        "groups": [{"group": CHANNEL, "method": "group_admin", "removed": True}],
        "done_class_wide": True,
        "pupils_told_it_is_a_crime": True,
        "notes": NOTE,
    },
    TaskKind.confront: {
        "conversations": [
            {
                "person_label": "Leerling B",
                "held": True,
                "with_parents": True,
                "sanction": "suspension",
                "neighbourhood_officer": False,
            }
        ],
        "notes": f"Gesprek met {SPREADER}. {NOTE}",
    },
    TaskKind.inform: {
        "letters": [
            {"audience": "class_parents", "text": LETTER},
            {"audience": "class_parents", "text": LETTER + " (tweede versie)"},
            {"audience": "parents_of_depicted", "text": LETTER},
        ],
        "culture_and_religion_considered": True,
        "sensitivity_notes": f"{FREE} let op de familie",
        "notes": NOTE,
    },
    TaskKind.media: {
        "spokesperson_id": "staff-7",
        "statement": f"De school neemt dit zeer serieus. {FREE}",
        "not_said": f"Niets over {VICTIM}",
        "notes": NOTE,
    },
    TaskKind.evaluate: {
        "went_well": f"{FREE} snel gehandeld",
        "can_be_better": f"{FREE} eerder de ouders bellen",
        "policy_change_needed": True,
        "policy_change": f"{FREE} protocol aanpassen",
        "notes": NOTE,
    },
    TaskKind.contact_outside_school: {
        "contacted": True,
        "method": "phone",
        "school_name": f"{FREE} Sint-Jozefcollege",
        "notes": NOTE,
    },
}

NEVER_IN_AN_OUTCOME = [VICTIM, SPREADER, CHANNEL, NOTE, FREE, "Leerling B", "REF-"]


def answer(kind: TaskKind, **overrides: Any) -> Answer:
    return TASK_KINDS[kind].form.model_validate({**VALID[kind], **overrides})


def test_every_task_kind_has_a_valid_example() -> None:
    assert set(VALID) == set(TaskKind)


@pytest.mark.parametrize("kind", list(TaskKind))
def test_to_outcome_gives_the_forms_outcome_model(kind: TaskKind) -> None:
    form = TASK_KINDS[kind].form
    assert isinstance(answer(kind).to_outcome(), form.outcome_model)


@pytest.mark.parametrize("kind", list(TaskKind))
def test_to_outcome_keeps_no_name_and_no_free_text(kind: TaskKind) -> None:
    given = answer(kind)
    dumped = given.to_outcome().model_dump_json()
    for secret in NEVER_IN_AN_OUTCOME:
        assert secret not in dumped
    assert any(
        secret in value for value in given.free_text_values() for secret in NEVER_IN_AN_OUTCOME
    ), "the example should hold free text, or this test proves nothing"


@pytest.mark.parametrize("kind", list(TaskKind))
@pytest.mark.parametrize("field", ["image", "photo", "attachment"])
def test_answers_refuse_unknown_fields_such_as_an_image(kind: TaskKind, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        answer(kind, **{field: "data:image/jpeg;base64,AAAA"})
    assert [e["type"] for e in error.value.errors()] == ["extra_forbidden"]
    assert error.value.errors()[0]["loc"] == (field,)


@pytest.mark.parametrize(
    ("kind", "list_field"),
    [
        (TaskKind.assess, "channels"),
        (TaskKind.assess, "persons"),
        (TaskKind.report, "filed"),
        (TaskKind.remove, "groups"),
        (TaskKind.confront, "conversations"),
        (TaskKind.inform, "letters"),
    ],
)
def test_nested_items_refuse_an_image_too(kind: TaskKind, list_field: str) -> None:
    items = [{**VALID[kind][list_field][0], "photo": "IMG_0001.jpg"}]
    with pytest.raises(ValidationError) as error:
        answer(kind, **{list_field: items})
    assert [e["type"] for e in error.value.errors()] == ["extra_forbidden"]


@pytest.mark.parametrize("kind", list(TaskKind))
def test_outcomes_refuse_unknown_fields_and_are_frozen(kind: TaskKind) -> None:
    outcome = answer(kind).to_outcome()
    with pytest.raises(ValidationError, match="extra"):
        type(outcome).model_validate({**outcome.model_dump(), "name": VICTIM})
    first_field = next(iter(type(outcome).model_fields))
    with pytest.raises(ValidationError, match="frozen"):
        setattr(outcome, first_field, None)


# assess


def assess_answer(**overrides: Any) -> AssessAnswer:
    return AssessAnswer.model_validate({**VALID[TaskKind.assess], **overrides})


def test_assess_outcome_counts_persons_per_role() -> None:
    outcome = assess_answer().to_outcome()
    assert outcome.person_counts == {
        PersonRole.victim: 1,
        PersonRole.spreader: 1,
        PersonRole.recipient: 2,
    }


def test_assess_outcome_counts_channels_and_lists_their_kinds_once() -> None:
    outcome = assess_answer().to_outcome()
    assert outcome.channel_count == 3
    assert outcome.channel_kinds == [ChannelKind.app_group, ChannelKind.social_media]


def test_assess_outcome_keeps_the_decision_fields() -> None:
    outcome = assess_answer(
        immediate_referral=["coercion_or_blackmail"], media_risk=True
    ).to_outcome()
    assert outcome.possible_csam is True
    assert outcome.has_url is False
    assert outcome.media_risk is True
    assert outcome.other_school_ids == ["school-2"]
    assert outcome.outside_school_involved is True
    assert outcome.immediate_referral == [ReferralCriterion.coercion_or_blackmail]


def test_assess_outcome_of_an_answer_without_persons_or_channels() -> None:
    outcome = assess_answer(persons=[], channels=[]).to_outcome()
    assert outcome.person_counts == {}
    assert outcome.channel_count == 0
    assert outcome.channel_kinds == []


def test_under_13_without_the_under_13_referral_criterion_is_refused() -> None:
    with pytest.raises(ValidationError, match="tick 'under_13'"):
        assessment(depicted_age=AgeBand.under_13, immediate_referral=[])


def test_under_13_answer_without_the_criterion_cannot_become_an_outcome() -> None:
    with pytest.raises(ValidationError, match="under 13"):
        assess_answer(depicted_age="under_13", immediate_referral=[]).to_outcome()


def test_under_13_with_the_under_13_referral_criterion_is_accepted() -> None:
    outcome = assessment(
        depicted_age=AgeBand.under_13, immediate_referral=[ReferralCriterion.under_13]
    )
    assert outcome.immediate_referral == [ReferralCriterion.under_13]


def test_a_school_listed_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="lists a school twice"):
        assessment(other_school_ids=["school-2", "school-3", "school-2"])


def test_an_assessment_needs_at_least_one_image_kind() -> None:
    with pytest.raises(ValidationError):
        assess_answer(image_kinds=[])


# support

SUPPORT_STEPS = ["said_not_your_fault", "no_indirect_blame", "asked_what_victim_needs"]


def support_outcome(**overrides: Any) -> SupportOutcome:
    fields = {**VALID[TaskKind.support], **overrides}
    del fields["victim_needs"], fields["notes"]
    return SupportOutcome.model_validate(fields)


@pytest.mark.parametrize("missing", SUPPORT_STEPS)
def test_support_of_our_victim_is_refused_without_each_point_of_the_guidance(missing: str) -> None:
    with pytest.raises(ValidationError, match=rf"support is complete only when .*\({missing}\)"):
        support_outcome(**{missing: False})


def test_support_refusal_lists_every_missing_point() -> None:
    with pytest.raises(ValidationError) as error:
        support_outcome(**dict.fromkeys(SUPPORT_STEPS, False))
    for point in SUPPORT_STEPS:
        assert point in str(error.value)


def test_support_of_our_victim_is_refused_without_help_or_declined() -> None:
    with pytest.raises(ValidationError, match="record the help arranged, or 'declined'"):
        support_outcome(help=[])


def test_support_accepts_help_declined_by_the_victim() -> None:
    assert support_outcome(help=["declined"]).help == [HelpArranged.declined]


def test_victim_at_another_school_is_refused_until_the_message_is_carried() -> None:
    with pytest.raises(ValidationError, match="tick message_carried_at_school"):
        SupportOutcome(victim_at_our_school=False)


def test_victim_at_another_school_needs_only_the_message_carried() -> None:
    outcome = SupportOutcome(victim_at_our_school=False, message_carried_at_school=True)
    assert outcome.help == []


def test_support_answer_to_outcome_keeps_the_victims_wishes_but_not_their_needs() -> None:
    outcome = answer(TaskKind.support).to_outcome()
    assert isinstance(outcome, SupportOutcome)
    assert outcome.victim_consulted_on_informing is True
    assert outcome.victim_agrees_to_inform == [Audience.parents_of_depicted]
    assert not hasattr(outcome, "victim_needs")


def test_an_incomplete_support_answer_cannot_become_an_outcome() -> None:
    incomplete = SupportAnswer.model_validate(
        {**VALID[TaskKind.support], "said_not_your_fault": False}
    )
    with pytest.raises(ValidationError, match="said_not_your_fault"):
        incomplete.to_outcome()


# the other forms: what their outcome keeps


def test_report_outcome_keeps_routes_once_and_counts_references() -> None:
    outcome = answer(
        TaskKind.report,
        filed=[
            {"route": "police", "reference": "PL-1"},
            {"route": "police", "reference": "PL-2"},
            {"route": "hetstoptbijjou", "reference": "   "},
        ],
    ).to_outcome()
    assert outcome.model_dump() == {
        "routes": [ReportRoute.police, ReportRoute.hetstoptbijjou],
        "references_recorded": 2,
    }


def test_remove_outcome_keeps_method_and_result_per_group() -> None:
    outcome = answer(TaskKind.remove).to_outcome()
    assert outcome.model_dump() == {
        "groups": [{"method": RemovalMethod.group_admin, "removed": True}],
        "done_class_wide": True,
        "pupils_told_it_is_a_crime": True,
    }


def test_confront_outcome_drops_the_person_label() -> None:
    outcome = answer(TaskKind.confront).to_outcome()
    assert outcome.model_dump() == {
        "conversations": [
            {
                "held": True,
                "with_parents": True,
                "sanction": Sanction.suspension,
                "neighbourhood_officer": False,
            }
        ]
    }


def test_inform_outcome_keeps_audiences_once_and_counts_letters() -> None:
    outcome = answer(TaskKind.inform).to_outcome()
    assert outcome.model_dump() == {
        "audiences": [Audience.class_parents, Audience.parents_of_depicted],
        "culture_and_religion_considered": True,
        "letters": 3,
    }


def test_media_outcome_keeps_only_the_spokesperson_id() -> None:
    outcome = answer(TaskKind.media).to_outcome()
    assert outcome.model_dump() == {"spokesperson_id": "staff-7", "statement_prepared": True}


@pytest.mark.parametrize(("policy_change", "lessons"), [("", 2), ("  ", 2), ("meer les", 3)])
def test_evaluate_outcome_counts_lessons(policy_change: str, lessons: int) -> None:
    outcome = answer(TaskKind.evaluate, policy_change=policy_change).to_outcome()
    assert outcome.model_dump() == {"policy_change_needed": True, "lessons": lessons}


def test_contact_outside_school_outcome_drops_the_school_name() -> None:
    outcome = answer(TaskKind.contact_outside_school).to_outcome()
    assert outcome.model_dump() == {"contacted": True, "method": ContactMethod.phone}


def test_contact_outside_school_not_contacted_says_to_mark_it_not_applicable() -> None:
    with pytest.raises(ValidationError, match="mark the task not applicable"):
        ContactOutsideSchoolOutcome(contacted=False, method=ContactMethod.email)


def test_a_letter_must_have_some_text() -> None:
    with pytest.raises(ValidationError):
        answer(TaskKind.inform, letters=[{"audience": "class_parents", "text": "kort"}])


def test_free_text_values_lists_every_text_of_an_answer() -> None:
    values = answer(TaskKind.assess).free_text_values()
    assert VICTIM in values
    assert CHANNEL in values
    assert NOTE in values
