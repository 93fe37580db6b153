"""Parts 1 and 2: whole incidents through the API against the bare workflow, and latency.

Regie: an incident is opened through the API; every task e-mail that arrives is answered by
its assignee through the API (read the task, post the answer) until the evaluation closes it.
Latency is measured from the moment an answer is posted to the arrival of the e-mail of each
task that answer opened (the `opens` of the reply).

Bare: the same number of incidents, in flight at once, each a BareWorkflow with the number of
activities per stage and updates read from the history of a warm-up Regie incident.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowUpdateStage

from bench import cpu
from bench.bare import BareAnswer, BareInput, BareWorkflow
from bench.client import Client
from bench.people import Board, Mailroom, answer_for, make_board, next_mail, open_incident
from bench.stack import BARE_TASK_QUEUE, Stack
from bench.stats import ratio, summary_ms
from workflows.contracts import incident_workflow_id

MAIL_TIMEOUT = 120.0


@dataclass
class RegieRun:
    latencies: list[float] = field(default_factory=list)
    task_mails: int = 0
    completions: int = 0
    failures: list[str] = field(default_factory=list)


async def drive_incident(
    stack: Stack, http: Client, board: Board, mailroom: Mailroom, run: RegieRun
) -> str:
    """One incident from opening to closing, every task answered from its e-mail."""
    incident = await open_incident(http, board)
    reference, incident_id = incident["reference"], incident["id"]
    arrived: dict[str, float] = {}  # step -> arrival of its task's e-mail
    posted: list[tuple[float, list[str]]] = []  # (answer posted at, steps it opened)
    while True:
        mail = await next_mail(mailroom, reference, MAIL_TIMEOUT)
        run.task_mails += 1
        staff = mail.claims.assignee_id
        task_id = mail.claims.task_id
        detail = await http.get(f"/api/tasks/{task_id}", headers=board.auth(staff))
        detail.raise_for_status()
        task = detail.json()
        kind = str(task["kind"])
        arrived.setdefault(str(task["step"]), mail.arrived)
        started = time.perf_counter()
        response = await http.post(
            f"/api/tasks/{task_id}/complete",
            json=answer_for(kind, board),
            headers=board.auth(staff),
        )
        response.raise_for_status()
        run.completions += 1
        posted.append((started, [str(s) for s in response.json()["opens"]]))
        if kind == "evaluate":
            break
    await stack.temporal.get_workflow_handle(incident_workflow_id(incident_id)).result()
    for started, opens in posted:
        run.latencies.extend(arrived[step] - started for step in opens if step in arrived)
    return str(incident_id)


async def history(stack: Stack, workflow_id: str) -> list[HistoryEvent]:
    handle = stack.temporal.get_workflow_handle(workflow_id)
    return [event async for event in handle.fetch_history_events()]


def workflow_shape(events: list[HistoryEvent]) -> tuple[list[int], list[int], int]:
    """Activities and local activities per stage (before the first update, between updates)
    and the update count. A local activity shows in the history as a marker."""
    stages, local = [0], [0]
    for event in events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            stages[-1] += 1
        elif (
            event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
            and event.marker_recorded_event_attributes.marker_name == "core_local_activity"
        ):
            local[-1] += 1
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            stages.append(0)
            local.append(0)
    return stages, local, len(stages) - 1


def event_counts(events: list[HistoryEvent]) -> dict[str, int]:
    """How many history events of each type one workflow wrote: the server's work for it."""
    counts: dict[str, int] = {}
    for event in events:
        name = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_").lower()
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


@dataclass
class BareRun:
    accepted: list[float] = field(default_factory=list)
    completed: list[float] = field(default_factory=list)


async def drive_bare(stack: Stack, stages: list[int], local: list[int], run: BareRun) -> str:
    run_id = uuid.uuid4().hex
    handle = await stack.temporal.start_workflow(
        BareWorkflow.run,
        BareInput(run_id=run_id, stages=stages, local_stages=local),
        id=f"bare-{run_id}",
        task_queue=BARE_TASK_QUEUE,
    )
    for number in range(1, len(stages)):
        started = time.perf_counter()
        update = await handle.start_update(
            BareWorkflow.answer,
            BareAnswer(number=number),
            wait_for_stage=WorkflowUpdateStage.ACCEPTED,
        )
        run.accepted.append(time.perf_counter() - started)
        await update.result()
        run.completed.append(time.perf_counter() - started)
    await handle.result()
    return handle.id


async def _many(count: int, in_flight: int, one: Any) -> float:
    """Run `one()` `count` times with `in_flight` at once; returns the wall time."""
    gate = asyncio.Semaphore(in_flight)

    async def gated() -> None:
        async with gate:
            await one()

    started = time.perf_counter()
    await asyncio.gather(*(gated() for _ in range(count)))
    return time.perf_counter() - started


def _latency(regie: RegieRun, bare: BareRun) -> dict[str, Any]:
    mail = summary_ms(regie.latencies)
    accepted = summary_ms(bare.accepted)
    completed = summary_ms(bare.completed)
    return {
        "answer_to_next_mail": mail,
        "bare_update_accepted": accepted,
        "bare_update_through_activities": completed,
        "p95_ratio_vs_update": ratio(mail["p95_ms"], accepted["p95_ms"]),
        "p95_ratio_vs_update_through_activities": ratio(mail["p95_ms"], completed["p95_ms"]),
    }


@dataclass
class Round:
    """One bare run and then one Regie run of the same size, back to back."""

    bare_wall: float
    regie_wall: float
    bare_cpu: dict[str, float]
    regie_cpu: dict[str, float]

    def ratio(self) -> float | None:
        return ratio(self.regie_wall, self.bare_wall)  # same incidents: rates go inversely


async def measure(
    stack: Stack,
    *,
    incidents: int,
    in_flight: int,
    rounds: int = 1,
    light_incidents: int = 0,
    light_in_flight: int = 1,
) -> dict[str, Any]:
    """Parts 1 and 2 with `in_flight` incidents at a time (the machine saturated: latency is
    mostly queueing), then part 2 again with `light_in_flight` (the path itself).

    Part 1 runs as `rounds` pairs, bare then Regie. This machine's speed drifts by a third
    within minutes, and one bare run lasts 15-20 s, so a single pair can put a fast bare run
    beside a slow Regie run or the other way round. The ratio reported is the median of the
    pairs' ratios; every pair is reported beside it.
    """
    board = await make_board(stack)
    mailroom = Mailroom()
    stack.mail.listeners.append(mailroom)
    try:
        async with Client(stack.api_url, connections=in_flight * 2, timeout=MAIL_TIMEOUT) as http:
            # A warm-up incident: imports, caches and connections, and the shape to copy.
            warm = RegieRun()
            warm_id = await drive_incident(stack, http, board, mailroom, warm)
            warm_history = await history(stack, incident_workflow_id(warm_id))
            stages, local, updates = workflow_shape(warm_history)
            bare_id = await drive_bare(stack, stages, local, BareRun())
            events = {
                "regie": event_counts(warm_history),
                "bare": event_counts(await history(stack, bare_id)),
            }

            bare, regie = BareRun(), RegieRun()
            done: list[Round] = []
            for _ in range(rounds):
                before_bare = cpu.snapshot(stack)
                bare_wall = await _many(
                    incidents, in_flight, lambda: drive_bare(stack, stages, local, bare)
                )
                before_regie = cpu.snapshot(stack)
                regie_wall = await _many(
                    incidents,
                    in_flight,
                    lambda: drive_incident(stack, http, board, mailroom, regie),
                )
                after_regie = cpu.snapshot(stack)
                done.append(
                    Round(
                        bare_wall=bare_wall,
                        regie_wall=regie_wall,
                        bare_cpu=cpu.spent(before_bare, before_regie, per=incidents),
                        regie_cpu=cpu.spent(before_regie, after_regie, per=incidents),
                    )
                )

            light_bare, light_regie = BareRun(), RegieRun()
            await _many(
                light_incidents,
                light_in_flight,
                lambda: drive_bare(stack, stages, local, light_bare),
            )
            await _many(
                light_incidents,
                light_in_flight,
                lambda: drive_incident(stack, http, board, mailroom, light_regie),
            )
    finally:
        stack.mail.listeners.remove(mailroom)
    driven = incidents * rounds
    regie_rate = driven / sum(r.regie_wall for r in done) * 60
    bare_rate = driven / sum(r.bare_wall for r in done) * 60
    ratios = [r.ratio() for r in done]
    return {
        "incidents": incidents,
        "in_flight": in_flight,
        "rounds": rounds,
        "shape": {
            "activities_per_stage": stages,
            "local_activities_per_stage": local,
            "activities": sum(stages),
            "local_activities": sum(local),
            "updates": updates,
            "history_events": events,
        },
        "regie": {
            "wall_s": round(sum(r.regie_wall for r in done), 2),
            "incidents_per_min": round(regie_rate, 1),
            "task_mails": regie.task_mails,
            "task_mails_expected": driven * updates,
            "duplicate_task_mails": mailroom.duplicates(),
            "cpu_s_per_incident": _mean_cpu([r.regie_cpu for r in done]),
        },
        "bare": {
            "wall_s": round(sum(r.bare_wall for r in done), 2),
            "incidents_per_min": round(bare_rate, 1),
            "cpu_s_per_incident": _mean_cpu([r.bare_cpu for r in done]),
        },
        "overhead_ratio": _median([r for r in ratios if r is not None]),
        "cpu_ratio": ratio(
            sum(r.regie_cpu["all"] for r in done), sum(r.bare_cpu["all"] for r in done)
        ),
        "overhead_ratio_pooled": ratio(bare_rate, regie_rate),
        "pairs": [
            {
                "bare_per_min": round(incidents / r.bare_wall * 60, 1),
                "regie_per_min": round(incidents / r.regie_wall * 60, 1),
                "ratio": r.ratio(),
                "bare_cpu_s": r.bare_cpu["all"],
                "regie_cpu_s": r.regie_cpu["all"],
            }
            for r in done
        ],
        "latency": _latency(regie, bare),
        "latency_light": {
            "incidents": light_incidents,
            "in_flight": light_in_flight,
            **_latency(light_regie, light_bare),
        },
    }


def _mean_cpu(per_round: list[dict[str, float]]) -> dict[str, float]:
    labels = list(dict.fromkeys(label for spent in per_round for label in spent))
    return {
        label: round(sum(spent.get(label, 0.0) for spent in per_round) / len(per_round), 3)
        for label in labels
    }


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None
