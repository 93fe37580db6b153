"""The decision points: when to report, where to report, removal and the victim's say."""

import pytest

from domain.forms.assess import AgeBand, ImageKind, ReferralCriterion
from domain.forms.report import ReportOutcome, ReportRoute
from domain.forms.support import Audience
from domain.rules import (
    EMERGENCY,
    describe_requirement,
    letters_refused,
    missing_report_routes,
    removal_problems,
    report_needed,
    required_report_routes,
)
from tests.domain.builders import assessment, removal, support


def reported(*routes: ReportRoute) -> ReportOutcome:
    return ReportOutcome(routes=list(routes), references_recorded=len(routes))


# report_needed


def test_possible_csam_needs_a_report() -> None:
    assert report_needed(assessment(possible_csam=True))


@pytest.mark.parametrize("criterion", list(ReferralCriterion))
def test_any_ground_for_immediate_referral_needs_a_report_even_without_csam(
    criterion: ReferralCriterion,
) -> None:
    age = AgeBand.under_13 if criterion is ReferralCriterion.under_13 else AgeBand.age_13_15
    assert report_needed(
        assessment(possible_csam=False, immediate_referral=[criterion], depicted_age=age)
    )


def test_violent_images_of_adults_need_no_report() -> None:
    adults = assessment(
        image_kinds=[ImageKind.violent],
        depicted_is_our_pupil=False,
        depicted_age=AgeBand.adult,
        possible_csam=False,
    )
    assert not report_needed(adults)
    assert required_report_routes(adults) == []


# required_report_routes


def test_csam_on_a_url_goes_to_the_meldpunt_kinderporno() -> None:
    assert required_report_routes(assessment(possible_csam=True, has_url=True)) == [
        frozenset({ReportRoute.meldpunt_kinderporno})
    ]


def test_csam_without_a_url_goes_to_hetstoptbijjou_and_the_police() -> None:
    assert required_report_routes(assessment(possible_csam=True, has_url=False)) == [
        frozenset({ReportRoute.hetstoptbijjou}),
        frozenset({ReportRoute.police}),
    ]


def test_immediate_referral_goes_to_police_or_112() -> None:
    routes = required_report_routes(
        assessment(immediate_referral=[ReferralCriterion.coercion_or_blackmail])
    )
    assert routes == [frozenset({ReportRoute.police, ReportRoute.emergency_112})]
    assert routes == [EMERGENCY]


def test_immediate_referral_with_csam_on_a_url_needs_both_emergency_and_meldpunt() -> None:
    routes = required_report_routes(
        assessment(
            possible_csam=True,
            has_url=True,
            immediate_referral=[ReferralCriterion.adult_involved],
        )
    )
    assert EMERGENCY in routes
    assert frozenset({ReportRoute.meldpunt_kinderporno}) in routes
    assert len(routes) == 2


def test_describe_requirement_lists_the_alternatives() -> None:
    assert describe_requirement(EMERGENCY) == "emergency_112 or police"


# missing_report_routes


@pytest.mark.parametrize("route", [ReportRoute.police, ReportRoute.emergency_112])
def test_either_police_or_112_satisfies_an_immediate_referral(route: ReportRoute) -> None:
    referral = assessment(immediate_referral=[ReferralCriterion.risk_of_harm])
    assert missing_report_routes(referral, reported(route)) == []


def test_veilig_thuis_alone_does_not_satisfy_an_immediate_referral() -> None:
    referral = assessment(immediate_referral=[ReferralCriterion.risk_of_harm])
    assert missing_report_routes(referral, reported(ReportRoute.veilig_thuis)) == [EMERGENCY]


def test_csam_without_url_reported_only_to_hetstoptbijjou_still_misses_the_police() -> None:
    csam = assessment(possible_csam=True, has_url=False)
    assert missing_report_routes(csam, reported(ReportRoute.hetstoptbijjou)) == [
        frozenset({ReportRoute.police})
    ]


def test_csam_without_url_reported_to_both_places_misses_nothing() -> None:
    csam = assessment(possible_csam=True, has_url=False)
    assert (
        missing_report_routes(csam, reported(ReportRoute.police, ReportRoute.hetstoptbijjou)) == []
    )


def test_csam_on_a_url_reported_to_the_police_only_misses_the_meldpunt() -> None:
    csam = assessment(possible_csam=True, has_url=True)
    assert missing_report_routes(csam, reported(ReportRoute.police)) == [
        frozenset({ReportRoute.meldpunt_kinderporno})
    ]


# removal_problems


def test_removal_without_problems() -> None:
    assert removal_problems(assessment(possible_csam=True), removal()) == []


def test_a_group_not_cleared_is_a_problem() -> None:
    problems = removal_problems(assessment(), removal(removed=(True, False)))
    assert len(problems) == 1
    assert "every app group" in problems[0]


def test_csam_and_pupils_not_told_it_is_a_crime_is_a_problem() -> None:
    problems = removal_problems(assessment(possible_csam=True), removal(told=False))
    assert len(problems) == 1
    assert "pupils_told_it_is_a_crime" in problems[0]


def test_pupils_not_told_is_no_problem_when_there_is_no_csam() -> None:
    assert removal_problems(assessment(possible_csam=False), removal(told=False)) == []


def test_both_removal_problems_are_reported_together() -> None:
    problems = removal_problems(
        assessment(possible_csam=True), removal(removed=(False,), told=False)
    )
    assert len(problems) == 2


# letters_refused

ALL_AUDIENCES = list(Audience)


def test_letters_to_audiences_the_victim_did_not_agree_to_are_refused() -> None:
    victim = support(victim_agrees_to_inform=[Audience.parents_of_depicted, Audience.class_parents])
    assert letters_refused(victim, ALL_AUDIENCES) == [
        Audience.parents_of_spreader,
        Audience.school_parents,
    ]


def test_letters_the_victim_agreed_to_are_not_refused() -> None:
    victim = support(victim_agrees_to_inform=[Audience.class_parents])
    assert letters_refused(victim, [Audience.class_parents]) == []


def test_victim_not_consulted_puts_no_restriction_on_letters() -> None:
    victim = support(victim_consulted_on_informing=False, victim_agrees_to_inform=[])
    assert letters_refused(victim, ALL_AUDIENCES) == []


def test_victim_at_another_school_puts_no_restriction_on_letters() -> None:
    elsewhere = support(
        victim_at_our_school=False,
        message_carried_at_school=True,
        victim_consulted_on_informing=True,
        victim_agrees_to_inform=[],
    )
    assert letters_refused(elsewhere, ALL_AUDIENCES) == []


def test_no_support_outcome_refuses_no_letter() -> None:
    assert letters_refused(None, ALL_AUDIENCES) == []
