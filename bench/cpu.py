"""CPU seconds each server of the stack spends during a part: where an incident's cost goes.

A snapshot reads the CPU time (user + system) of the bench itself, the api, the worker, the
bare worker, the Temporal dev server and every PostgreSQL process on the machine. A process
that exits between two snapshots takes its time with it, so PostgreSQL connections that close
during a part are missed; the pools keep theirs open, so that is little.
"""

from __future__ import annotations

import psutil

from bench.stack import Stack

Snapshot = dict[int, tuple[str, float]]  # pid -> (which server, CPU seconds so far)


def _labelled(stack: Stack) -> list[tuple[str, psutil.Process]]:
    me = psutil.Process()
    found = [
        ("bench", me),
        ("api", psutil.Process(stack.api.pid)),
        ("worker", psutil.Process(stack.worker.pid)),
        ("bare worker", psutil.Process(stack.bare_worker.pid)),
    ]
    known = {p.pid for _, p in found}
    for child in me.children(recursive=True):
        if child.pid not in known and "temporal" in _name(child):
            found.append(("temporal", child))
    for process in psutil.process_iter():
        if _name(process).startswith("postgres"):
            found.append(("postgresql", process))
    return found


def _name(process: psutil.Process) -> str:
    try:
        return str(process.name())
    except psutil.Error:
        return ""


def snapshot(stack: Stack) -> Snapshot:
    taken: Snapshot = {}
    for label, process in _labelled(stack):
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue  # gone between listing and reading
        taken[process.pid] = (label, times.user + times.system)
    return taken


def spent(before: Snapshot, after: Snapshot, *, per: int) -> dict[str, float]:
    """CPU seconds per server between two snapshots, divided by `per` (incidents)."""
    totals: dict[str, float] = {}
    for pid, (label, seconds) in after.items():
        start = before.get(pid, (label, 0.0))[1]
        totals[label] = totals.get(label, 0.0) + seconds - start
    result = {label: round(total / per, 3) for label, total in sorted(totals.items())}
    result["all"] = round(sum(totals.values()) / per, 3)
    return result
