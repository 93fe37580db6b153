"""An incident's history: the audit log merged with its workflow's Temporal history.

The audit log in PostgreSQL is the record; Temporal keeps a closed workflow's history only
for the namespace's retention period, and while it does, its timers, updates, signals and
activity attempts are merged in by time as items of kind `temporal:<EventType>`. Only names,
ids, attempt numbers and durations are taken from a Temporal event, never a payload.
"""

import csv
import heapq
import io
import json
import re
from collections.abc import Iterable
from datetime import UTC, timedelta
from typing import Any

from temporalio.api.enums.v1 import EventType, RetryState
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from api.schemas import History, HistoryItem
from store.audit import AuditEvent
from workflows.contracts import incident_workflow_id

# Workflow tasks and markers are Temporal's bookkeeping, not something that happened.
_SKIPPED = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_MARKER_RECORDED,
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
}

NOTE_INCLUDED = "The Temporal history of the incident's workflow is merged in."
NOTE_GONE = (
    "Temporal no longer keeps this incident's workflow history (its retention period has"
    " passed); this history is the audit log alone, which is the complete record."
)
NOTE_UNREACHABLE = (
    "Temporal could not be reached just now; this history is the audit log alone, which is"
    " the complete record. Try again later to see the workflow's timers and retries too."
)


def audit_items(events: list[AuditEvent]) -> list[HistoryItem]:
    return [
        HistoryItem(
            at=e.at,
            source="audit",
            kind=e.kind,
            step=e.step,
            task=e.task_id,
            actor=e.actor_id,
            detail=e.detail,
        )
        for e in events
    ]


def event_kind(event_type: int) -> str:
    """EVENT_TYPE_TIMER_FIRED -> 'temporal:TimerFired'."""
    name = EventType.Name(event_type).removeprefix("EVENT_TYPE_")  # type: ignore[arg-type]
    return "temporal:" + "".join(part.capitalize() for part in name.split("_"))


def _seconds(duration: Any) -> int:
    return int(duration.ToTimedelta() / timedelta(seconds=1))


def temporal_items(events: Iterable[HistoryEvent]) -> list[HistoryItem]:
    """The events an auditor can read: what happened, when; ids and names, no payloads."""
    activity_of: dict[int, str] = {}  # scheduled event id -> activity type
    update_of: dict[str, str] = {}  # update id -> update name
    items = []
    for event in events:
        if event.event_type in _SKIPPED:
            continue
        detail: dict[str, Any] = {"event_id": event.event_id}
        which = event.WhichOneof("attributes")
        if which == "workflow_execution_started_event_attributes":
            started = event.workflow_execution_started_event_attributes
            detail.update(workflow_type=started.workflow_type.name, attempt=started.attempt)
        elif which == "timer_started_event_attributes":
            timer = event.timer_started_event_attributes
            detail.update(timer_id=timer.timer_id, seconds=_seconds(timer.start_to_fire_timeout))
        elif which == "timer_fired_event_attributes":
            detail.update(timer_id=event.timer_fired_event_attributes.timer_id)
        elif which == "timer_canceled_event_attributes":
            detail.update(timer_id=event.timer_canceled_event_attributes.timer_id)
        elif which == "activity_task_scheduled_event_attributes":
            scheduled = event.activity_task_scheduled_event_attributes
            activity_of[event.event_id] = scheduled.activity_type.name
            detail.update(activity=scheduled.activity_type.name, activity_id=scheduled.activity_id)
        elif which == "activity_task_started_event_attributes":
            started_a = event.activity_task_started_event_attributes
            detail.update(
                activity=activity_of.get(started_a.scheduled_event_id, ""),
                attempt=started_a.attempt,
            )
        elif which in (
            "activity_task_completed_event_attributes",
            "activity_task_failed_event_attributes",
            "activity_task_timed_out_event_attributes",
            "activity_task_canceled_event_attributes",
        ):
            ended = getattr(event, which)
            detail.update(activity=activity_of.get(ended.scheduled_event_id, ""))
            if which != "activity_task_completed_event_attributes" and hasattr(
                ended, "retry_state"
            ):
                detail.update(retry_state=_retry_state(ended.retry_state))
        elif which == "workflow_execution_signaled_event_attributes":
            detail.update(signal=event.workflow_execution_signaled_event_attributes.signal_name)
        elif which == "signal_external_workflow_execution_initiated_event_attributes":
            sent = event.signal_external_workflow_execution_initiated_event_attributes
            detail.update(signal=sent.signal_name, workflow_id=sent.workflow_execution.workflow_id)
        elif which == "workflow_execution_update_accepted_event_attributes":
            accepted = event.workflow_execution_update_accepted_event_attributes
            name = accepted.accepted_request.input.name
            update_of[accepted.protocol_instance_id] = name
            detail.update(update=name, update_id=accepted.protocol_instance_id)
        elif which == "workflow_execution_update_completed_event_attributes":
            completed = event.workflow_execution_update_completed_event_attributes
            update_id = completed.meta.update_id
            detail.update(
                update=update_of.get(update_id, ""),
                update_id=update_id,
                outcome="failure" if completed.outcome.HasField("failure") else "success",
            )
        elif which == "start_child_workflow_execution_initiated_event_attributes":
            child = event.start_child_workflow_execution_initiated_event_attributes
            detail.update(workflow_type=child.workflow_type.name, workflow_id=child.workflow_id)
        elif which is not None and which.startswith("child_workflow_execution_"):
            child_event = getattr(event, which)
            detail.update(
                workflow_type=child_event.workflow_type.name,
                workflow_id=child_event.workflow_execution.workflow_id,
            )
        items.append(
            HistoryItem(
                at=event.event_time.ToDatetime(tzinfo=UTC),
                source="temporal",
                kind=event_kind(event.event_type),
                step=None,
                task=None,
                actor=None,
                detail=detail,
            )
        )
    return items


def _retry_state(state: int) -> str:
    return RetryState.Name(state).removeprefix("RETRY_STATE_").lower()  # type: ignore[arg-type]


async def fetch_temporal(client: Client, incident_id: str) -> tuple[list[HistoryItem], str]:
    """The workflow's events, or none and why not."""
    handle = client.get_workflow_handle(incident_workflow_id(incident_id))
    try:
        history = await handle.fetch_history(rpc_timeout=timedelta(seconds=10))
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return [], NOTE_GONE
        return [], NOTE_UNREACHABLE
    return temporal_items(history.events), NOTE_INCLUDED


def merge(audit: list[HistoryItem], temporal: list[HistoryItem]) -> list[HistoryItem]:
    """One timeline by time. The audit log keeps its own order (by id, the order it was
    written); Temporal's events go by time, since an activity's start is recorded in the
    history only when the attempt ends."""
    by_time = sorted(temporal, key=lambda item: item.at)
    return list(heapq.merge(audit, by_time, key=lambda item: item.at))


async def incident_history(client: Client, incident_id: str, events: list[AuditEvent]) -> History:
    temporal, note = await fetch_temporal(client, incident_id)
    return History(
        items=merge(audit_items(events), temporal),
        temporal_history="included" if note == NOTE_INCLUDED else "unavailable",
        note=note,
    )


CSV_COLUMNS = ("at", "source", "kind", "step", "task", "actor", "detail")
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def as_csv(history: History) -> str:
    """A header row, then one row per item; detail as compact JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in history.items:
        row = [
            item.at.astimezone(UTC).isoformat(),
            item.source,
            item.kind,
            item.step or "",
            item.task or "",
            item.actor or "",
            json.dumps(item.detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        ]
        # A spreadsheet must never run a cell as a formula.
        writer.writerow(["'" + cell if _FORMULA.match(cell) else cell for cell in row])
    return out.getvalue()
