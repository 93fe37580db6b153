"""`python -m bench [--size quick|full|smoke] [--only overhead,capacity,reads,load]`.

Starts its own servers, runs the parts, prints a table and writes bench/results-<size>.json.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from bench import capacity, load, machine, overhead, reads
from bench.report import print_table
from bench.sizes import SIZES
from bench.stack import open_stack

PARTS = ("overhead", "capacity", "reads", "load")
console = Console(width=150)


async def run(
    size_name: str,
    parts: tuple[str, ...],
    out: Path,
    logs: Path | None,
    capacity_counts: tuple[int, ...] = (),
) -> dict[str, Any]:
    size = SIZES[size_name]
    if capacity_counts:
        size = dataclasses.replace(size, capacity=capacity_counts)
    results: dict[str, Any] = {"size": size_name, "parts": list(parts)}
    if capacity_counts:
        results["capacity_counts"] = list(capacity_counts)
    started = time.perf_counter()
    async with open_stack(keep_logs=logs) as stack:
        results["machine"] = await machine.describe(stack)
        if "overhead" in parts:
            console.print(f"[bold]1+2[/bold] {size.incidents} incidents, Regie and bare …")
            results["overhead"] = await overhead.measure(
                stack,
                incidents=size.incidents,
                in_flight=size.in_flight,
                rounds=size.rounds,
                light_incidents=size.latency_incidents,
                light_in_flight=size.latency_in_flight,
            )
        if "capacity" in parts:
            results["capacity"] = []
            for count in size.capacity:
                console.print(f"[bold]3[/bold] {count} open incidents, then a worker restart …")
                results["capacity"].append(
                    await capacity.measure(stack, open_incidents=count, in_flight=size.in_flight)
                )
        if "reads" in parts:
            console.print(f"[bold]4[/bold] reads over {size.read_rows} incidents …")
            results["reads"] = await reads.measure(
                stack, rows=size.read_rows, requests=size.read_requests
            )
        if "load" in parts:
            console.print(f"[bold]7[/bold] {size.load_clients} clients for {size.load_seconds} s …")
            results["load"] = await load.measure(
                stack, clients=size.load_clients, seconds=size.load_seconds
            )
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["total_s"] = round(time.perf_counter() - started, 1)
    text = json.dumps(results, indent=2) + "\n"
    await asyncio.to_thread(out.write_text, text, encoding="utf-8")
    return results


def main(
    size: Annotated[str, typer.Option(help="smoke, quick or full")] = "quick",
    only: Annotated[str, typer.Option(help="comma-separated parts: " + ",".join(PARTS))] = "",
    out: Annotated[
        Path | None, typer.Option(help="results JSON (default bench/results-SIZE.json)")
    ] = None,
    logs: Annotated[
        Path | None, typer.Option(help="keep the api/worker logs in this folder")
    ] = None,
    capacity: Annotated[
        str, typer.Option(help="open-incident counts for part 3 instead of the size's, e.g. 1000")
    ] = "",
) -> None:
    """Measure Regie against a bare Temporal baseline on servers it starts itself."""
    if size not in SIZES:
        raise typer.BadParameter(f"use one of {', '.join(SIZES)}", param_hint="--size")
    parts = tuple(p.strip() for p in only.split(",") if p.strip()) or PARTS
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise typer.BadParameter(f"unknown part(s) {', '.join(sorted(unknown))}; use {PARTS}")
    try:
        counts = tuple(int(c) for c in capacity.split(",") if c.strip())
    except ValueError:
        raise typer.BadParameter(
            "write counts like 1000 or 1000,10000", param_hint="--capacity"
        ) from None
    target = out or Path(__file__).parent / f"results-{size}.json"
    results = asyncio.run(run(size, parts, target, logs, counts))
    print_table(results, console)
    console.print(f"Results in {target} (took {results['total_s']} s).")


if __name__ == "__main__":
    typer.run(main)
