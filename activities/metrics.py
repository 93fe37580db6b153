"""The worker's own counters, recorded through the Temporal SDK's metric meter.

They go out on the same Prometheus endpoint as the SDK's metrics (the worker's Runtime, see
regie/telemetry.py), so a worker has one /metrics. The meter adds namespace, task_queue and
activity_type; labels here are steps, outcomes, levels and message kinds: never an id, a name
or free text, so the number of series stays small and no personal data leaves.

Counted when the activity's work is done, so a retried activity counts once; an attempt whose
completion is lost and that runs again counts twice (rare, and only ever too high).
"""

import logging
from typing import Final

from temporalio import activity
from temporalio.common import MetricMeter

TASKS_OPENED: Final = "regie_tasks_opened"
TASKS_CLOSED: Final = "regie_tasks_closed"
TASKS_REASSIGNED: Final = "regie_tasks_reassigned"
TASKS_REMINDED: Final = "regie_tasks_reminded"
TASKS_ESCALATED: Final = "regie_tasks_escalated"
TASKS_CANCELLED: Final = "regie_tasks_cancelled"
INCIDENTS_ENDED: Final = "regie_incidents_ended"
EMAILS_SENT: Final = "regie_emails_sent"
EMAILS_FAILED: Final = "regie_emails_failed"
EMAILS_REFUSED: Final = "regie_emails_refused"

log = logging.getLogger("regie.events")

_DESCRIPTIONS: Final = {
    TASKS_OPENED: "Tasks opened and assigned, by step",
    TASKS_CLOSED: "Tasks closed by their assignee, by step and outcome (done, not_applicable)",
    TASKS_REASSIGNED: "Tasks reassigned to someone else, by step",
    TASKS_REMINDED: "Reminders sent before a task's deadline, by step",
    TASKS_ESCALATED: (
        "Escalations of overdue tasks, by step and escalation_level (1 school, 2 board)"
    ),
    TASKS_CANCELLED: "Open tasks cancelled with their incident, by step",
    INCIDENTS_ENDED: "Incidents closed after evaluation or cancelled, by status",
    EMAILS_SENT: "E-mails handed to the mail server, by message kind",
    EMAILS_FAILED: "E-mails the mail server did not take, by message kind",
    EMAILS_REFUSED: (
        "E-mails whose address the mail server refused for good (not retried), by message kind"
    ),
}


def _meter() -> MetricMeter:
    try:
        return activity.metric_meter()
    except RuntimeError:
        # Called outside a running activity (a test calling the method directly): not counted.
        return MetricMeter.noop


def record(name: str, *, task_id: str | None = None, **labels: str) -> None:
    """Adds one to the counter `name` (a constant above) and logs the event with its ids.

    `task_id` goes in the log line only; the line gets the workflow and incident ids from
    the activity it is written in (regie/logs.py).
    """
    _meter().create_counter(name, _DESCRIPTIONS[name]).add(1, labels)
    event = name.removeprefix("regie_")
    extra: dict[str, str] = {"event": event, **labels}
    if task_id is not None:
        extra["task_id"] = task_id
    log.info("%s %s", event, " ".join(f"{k}={v}" for k, v in labels.items()), extra=extra)
