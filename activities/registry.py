"""Every activity of Regie, bound to one worker's dependencies."""

from collections.abc import Callable
from typing import Any

from activities.assess import AssessActivities
from activities.deps import Deps
from activities.evaluate import EvaluateActivities
from activities.incident import IncidentActivities
from activities.inform import InformActivities
from activities.media import MediaActivities
from activities.policy_review import PolicyReviewActivities
from activities.remove import RemoveActivities
from activities.report import ReportActivities
from activities.retention import RetentionActivities
from activities.tasks import TaskActivities


def all_activities(deps: Deps) -> list[Callable[..., Any]]:
    incident = IncidentActivities(deps)
    tasks = TaskActivities(deps)
    return [
        incident.load_context,
        incident.set_status,
        incident.record_audit,
        incident.open_linked_incident,
        tasks.plan_tasks,
        tasks.skip_task,
        tasks.open_task,
        tasks.close_task,
        tasks.reopen_task,
        tasks.reassign_task,
        tasks.remind_task,
        tasks.escalate_task,
        tasks.cancel_tasks,
        AssessActivities(deps).alert_board,
        ReportActivities(deps).prepare_handoff,
        RemoveActivities(deps).send_removal_instructions,
        InformActivities(deps).send_parent_letters,
        MediaActivities(deps).send_statement,
        EvaluateActivities(deps).store_lessons,
        *_review(PolicyReviewActivities(deps)),
        RetentionActivities(deps).erase_expired,
    ]


def _review(review: PolicyReviewActivities) -> list[Callable[..., Any]]:
    return [
        review.start_review,
        review.open_review_task,
        review.close_review_task,
        review.reassign_review_task,
        review.review_alarm,
        review.finish_review,
    ]
