"""Why the workflow refuses an update: the error type the caller receives with the message."""

from enum import StrEnum

from temporalio.exceptions import ApplicationError


class Refusal(StrEnum):
    unknown_task = "UnknownTask"  # 404
    not_open_yet = "TaskNotOpenYet"  # 409
    closed = "TaskClosed"  # 409
    not_assignee = "NotAssignee"  # 403
    invalid_answer = "InvalidAnswer"  # 422
    not_applicable_refused = "NotApplicableRefused"  # 422
    incident_closed = "IncidentClosed"  # 409


class ActivityFailure(StrEnum):
    """Non-retryable failures an activity reports to the workflow."""

    names_person = "NamesPerson"
    not_found = "NotFound"


def refuse(refusal: Refusal, message: str) -> ApplicationError:
    """The error an update validator raises: the caller receives its type and message."""
    return ApplicationError(message, type=refusal.value, non_retryable=True)
