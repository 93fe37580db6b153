"""The step plan as a graph: which steps open, which are skipped, and when."""

from collections.abc import Mapping

import pytest

from domain.forms.assess import AssessOutcome, ReferralCriterion
from domain.plan import Moves, StepStatus, incident_finished, media_triggered, next_moves
from domain.steps import Step
from tests.domain.builders import assessment

WAITING = StepStatus.waiting
OPEN = StepStatus.open
DONE = StepStatus.done


def statuses(**given: StepStatus) -> dict[Step, StepStatus]:
    """Every step waiting, except those given."""
    result = dict.fromkeys(Step, StepStatus.waiting)
    result.update({Step(key): status for key, status in given.items()})
    return result


def moves(
    current: Mapping[Step, StepStatus],
    *,
    assessment: AssessOutcome | None = None,
    media_inquiries: int = 0,
    follow_up_open: bool = False,
) -> Moves:
    return next_moves(
        current,
        assessment=assessment,
        media_inquiries=media_inquiries,
        follow_up_open=follow_up_open,
    )


def settle(
    current: Mapping[Step, StepStatus],
    *,
    assessment: AssessOutcome | None = None,
    media_inquiries: int = 0,
    follow_up_open: bool = False,
) -> dict[Step, StepStatus]:
    """Apply the moves and ask again until none remain, as the workflow does."""
    result = dict(current)
    for _ in range(20):
        found = moves(
            result,
            assessment=assessment,
            media_inquiries=media_inquiries,
            follow_up_open=follow_up_open,
        )
        if not found.open and not found.skip:
            return result
        result.update(dict.fromkeys(found.open, StepStatus.open))
        result.update(dict.fromkeys(found.skip, StepStatus.skipped))
    raise AssertionError("the plan did not settle")


def test_at_start_assess_and_support_open_in_parallel() -> None:
    found = moves(statuses())
    assert found.open == [Step.assess, Step.support]
    assert found.skip == []


def test_nothing_else_opens_while_assess_is_open() -> None:
    settled = settle(statuses())
    assert {s for s, st in settled.items() if st is OPEN} == {Step.assess, Step.support}


def test_without_csam_report_is_skipped_and_remove_opens() -> None:
    no_csam = assessment(possible_csam=False)
    first = moves(statuses(assess=DONE, support=OPEN), assessment=no_csam)
    assert Step.report in first.skip
    assert Step.report not in first.open

    settled = settle(statuses(assess=DONE, support=OPEN), assessment=no_csam)
    assert settled[Step.report] is StepStatus.skipped
    assert settled[Step.remove] is OPEN


def test_with_csam_report_opens_and_remove_waits_for_it() -> None:
    csam = assessment(possible_csam=True, has_url=True)
    settled = settle(statuses(assess=DONE, support=OPEN), assessment=csam)
    assert settled[Step.report] is OPEN
    assert settled[Step.remove] is WAITING


def test_immediate_referral_without_csam_opens_report() -> None:
    referral = assessment(immediate_referral=[ReferralCriterion.adult_involved])
    settled = settle(statuses(assess=DONE, support=OPEN), assessment=referral)
    assert settled[Step.report] is OPEN
    assert settled[Step.remove] is WAITING


@pytest.mark.parametrize("report", [StepStatus.done, StepStatus.not_applicable])
def test_remove_opens_once_the_report_is_closed(report: StepStatus) -> None:
    csam = assessment(possible_csam=True, has_url=True)
    current = statuses(assess=DONE, support=OPEN, report=report, confront=OPEN)
    assert moves(current, assessment=csam).open == [Step.remove]


def test_confront_opens_after_assess_even_while_support_is_open() -> None:
    found = moves(statuses(assess=DONE, support=OPEN), assessment=assessment())
    assert Step.confront in found.open


def test_nothing_after_assess_opens_before_assess_is_closed() -> None:
    found = moves(statuses(assess=OPEN, support=DONE), assessment=None)
    assert found.open == []
    assert found.skip == []


def test_inform_waits_for_support() -> None:
    settled = settle(statuses(assess=DONE, support=OPEN), assessment=assessment())
    assert settled[Step.inform] is WAITING


@pytest.mark.parametrize("support", [StepStatus.done, StepStatus.not_applicable])
def test_inform_opens_once_support_is_closed(support: StepStatus) -> None:
    found = moves(
        statuses(
            assess=DONE, support=support, report=StepStatus.skipped, remove=OPEN, confront=OPEN
        ),
        assessment=assessment(),
    )
    assert found.open == [Step.inform]


def test_inform_waits_for_assess_even_when_support_is_done() -> None:
    assert Step.inform not in moves(statuses(assess=OPEN, support=DONE)).open


def test_media_opens_on_media_risk_at_assess() -> None:
    found = moves(statuses(assess=DONE, support=OPEN), assessment=assessment(media_risk=True))
    assert Step.media in found.open


def test_media_opens_on_an_inquiry_before_the_assessment() -> None:
    found = moves(statuses(), media_inquiries=1)
    assert found.open == [Step.assess, Step.support, Step.media]


def test_media_stays_waiting_without_risk_or_inquiry() -> None:
    settled = settle(statuses(assess=DONE, support=OPEN), assessment=assessment())
    assert settled[Step.media] is WAITING


def test_media_opens_on_a_later_inquiry_after_being_skipped() -> None:
    current = statuses(
        assess=DONE,
        support=DONE,
        report=StepStatus.skipped,
        remove=DONE,
        confront=DONE,
        inform=DONE,
        media=StepStatus.skipped,
        evaluate=OPEN,
    )
    assert moves(current, assessment=assessment()).open == []
    assert moves(current, assessment=assessment(), media_inquiries=1).open == [Step.media]


@pytest.mark.parametrize("media", [StepStatus.done, StepStatus.not_applicable])
def test_closed_media_is_not_reopened_by_an_inquiry(media: StepStatus) -> None:
    current = statuses(
        assess=DONE, support=DONE, remove=OPEN, report=DONE, confront=OPEN, inform=OPEN, media=media
    )
    assert Step.media not in moves(current, assessment=assessment(), media_inquiries=2).open


def all_but_evaluate_closed(**given: StepStatus) -> dict[Step, StepStatus]:
    base = {
        "assess": DONE,
        "support": DONE,
        "report": StepStatus.skipped,
        "remove": DONE,
        "confront": StepStatus.not_applicable,
        "inform": DONE,
        "media": WAITING,
    }
    base.update(given)
    return statuses(**base)


def test_evaluate_opens_when_all_others_are_closed_and_waiting_media_is_skipped() -> None:
    found = moves(all_but_evaluate_closed(), assessment=assessment())
    assert found.open == [Step.evaluate]
    assert found.skip == [Step.media]


def test_evaluate_opens_after_media_is_done_and_skips_nothing() -> None:
    found = moves(all_but_evaluate_closed(media=DONE), assessment=assessment(media_risk=True))
    assert found.open == [Step.evaluate]
    assert found.skip == []


@pytest.mark.parametrize("step", ["support", "remove", "confront", "inform"])
def test_evaluate_waits_while_another_step_is_open(step: str) -> None:
    found = moves(all_but_evaluate_closed(**{step: OPEN}), assessment=assessment())
    assert Step.evaluate not in found.open
    assert Step.media not in found.skip


def test_evaluate_waits_while_media_is_open() -> None:
    found = moves(all_but_evaluate_closed(media=OPEN), assessment=assessment(media_risk=True))
    assert found.open == []


def test_evaluate_waits_while_a_follow_up_is_open() -> None:
    found = moves(all_but_evaluate_closed(), assessment=assessment(), follow_up_open=True)
    assert found.open == []
    assert found.skip == []


def test_evaluate_waits_for_media_that_is_triggered_but_not_yet_open() -> None:
    found = moves(all_but_evaluate_closed(), assessment=assessment(), media_inquiries=1)
    assert found.open == [Step.media]
    assert found.skip == []


def test_a_whole_incident_without_csam_runs_to_evaluate() -> None:
    a = assessment()
    current = settle(statuses(), assessment=None)
    current[Step.assess] = DONE
    current = settle(current, assessment=a)
    current[Step.support] = DONE
    current = settle(current, assessment=a)
    for step in (Step.remove, Step.confront, Step.inform):
        assert current[step] is OPEN
        current[step] = DONE
    current = settle(current, assessment=a)
    assert current[Step.evaluate] is OPEN
    assert current[Step.media] is StepStatus.skipped
    assert current[Step.report] is StepStatus.skipped
    assert not incident_finished(current, follow_up_open=False)
    current[Step.evaluate] = DONE
    assert incident_finished(current, follow_up_open=False)


def test_media_triggered() -> None:
    assert not media_triggered(None, 0)
    assert media_triggered(None, 1)
    assert media_triggered(assessment(media_risk=True), 0)
    assert not media_triggered(assessment(media_risk=False), 0)


# incident_finished


def test_incident_is_finished_when_every_step_is_closed_and_no_follow_up_is_open() -> None:
    closed = all_but_evaluate_closed(media=StepStatus.skipped, evaluate=DONE)
    assert incident_finished(closed, follow_up_open=False)


def test_incident_is_not_finished_while_a_follow_up_is_open() -> None:
    closed = all_but_evaluate_closed(media=StepStatus.skipped, evaluate=DONE)
    assert not incident_finished(closed, follow_up_open=True)


@pytest.mark.parametrize("status", [StepStatus.waiting, StepStatus.open])
def test_incident_is_not_finished_while_a_step_is_not_closed(status: StepStatus) -> None:
    assert not incident_finished(all_but_evaluate_closed(evaluate=status), follow_up_open=False)


def test_cancelled_counts_as_closed() -> None:
    cancelled = dict.fromkeys(Step, StepStatus.cancelled)
    assert incident_finished(cancelled, follow_up_open=False)
