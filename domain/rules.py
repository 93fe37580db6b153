"""The decision points of the step plan as pure functions.

Sources: the guidance (report, then remove; the victim's voice before informing parents),
Dutch police and Offlimits practice (the Meldpunt only takes material with a URL; the police
handle chat material) and the UKCIS advice for the grounds of an immediate referral.
"""

from domain.forms.assess import AssessOutcome
from domain.forms.remove import RemoveOutcome
from domain.forms.report import ReportOutcome, ReportRoute
from domain.forms.support import Audience, SupportOutcome

# One requirement is met by any one of its routes.
Requirement = frozenset[ReportRoute]

EMERGENCY: Requirement = frozenset({ReportRoute.police, ReportRoute.emergency_112})


def is_immediate_referral(assessment: AssessOutcome) -> bool:
    """An adult, coercion, grooming, doubt about consent, violence, under 13, or risk of harm."""
    return bool(assessment.immediate_referral)


def report_needed(assessment: AssessOutcome) -> bool:
    """Possible child sexual abuse material, or any ground for an immediate referral.

    Violent or shocking images of adults are not reported: removal follows the assessment.
    """
    return assessment.possible_csam or is_immediate_referral(assessment)


def required_report_routes(assessment: AssessOutcome) -> list[Requirement]:
    routes: list[Requirement] = []
    if is_immediate_referral(assessment):
        routes.append(EMERGENCY)
    if assessment.possible_csam:
        if assessment.has_url:
            # Offlimits' Meldpunt Kinderporno only handles material that has a URL.
            routes.append(frozenset({ReportRoute.meldpunt_kinderporno}))
        else:
            routes.append(frozenset({ReportRoute.hetstoptbijjou}))
            if EMERGENCY not in routes:
                routes.append(frozenset({ReportRoute.police}))
    return routes


def missing_report_routes(assessment: AssessOutcome, report: ReportOutcome) -> list[Requirement]:
    given = set(report.routes)
    return [req for req in required_report_routes(assessment) if not req & given]


def describe_requirement(requirement: Requirement) -> str:
    return " or ".join(sorted(route.value for route in requirement))


def removal_problems(assessment: AssessOutcome, removal: RemoveOutcome) -> list[str]:
    problems = []
    if not all(group.removed for group in removal.groups):
        problems.append(
            "every app group must be cleared before this task is done; "
            "keep the task open until it is"
        )
    if assessment.possible_csam and not removal.pupils_told_it_is_a_crime:
        problems.append(
            "tell the pupils that possessing, forwarding or screenshotting these images is a "
            "crime (pupils_told_it_is_a_crime)"
        )
    return problems


def letters_refused(support: SupportOutcome | None, audiences: list[Audience]) -> list[Audience]:
    """Audiences the victim did not agree to. The victim's voice comes before any letter."""
    if support is None or not support.victim_at_our_school:
        return []
    if not support.victim_consulted_on_informing:
        return []
    return [a for a in audiences if a not in support.victim_agrees_to_inform]
