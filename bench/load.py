"""Part 7: staff clients hammering the API at once; error rate and p95.

Each client is one staff member (school staff and board office in turn) in a loop without
think time: their task list, the incident list, an incident they may see, a task of theirs,
and now and then a coordinator opening an incident. A 5xx or a broken connection is an error;
a 4xx would be a client or access bug and is counted apart.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter
from typing import Any

from bench.client import Client, StatusError, TransportError
from bench.people import Board, make_board, open_incident
from bench.stack import Stack
from bench.stats import summary_ms
from domain.roles import Role


async def _client(
    http: Client,
    board: Board,
    staff: str,
    can_open: int | None,
    auditor: bool,
    until: float,
    seed: int,
    latencies: list[float],
    statuses: Counter[str],
) -> None:
    rng = random.Random(seed)
    headers = board.auth(staff)
    incident_ids: list[str] = []
    task_ids: list[str] = []
    while time.perf_counter() < until:
        roll = rng.random()
        if can_open is not None and roll < 0.03:
            method, path = "POST", "/api/incidents"
        elif roll < 0.35:
            method, path = "GET", "/api/me/tasks"
        elif roll < 0.65 or not incident_ids:
            method, path = "GET", "/api/incidents?limit=50"
        elif roll < 0.85 or not task_ids:
            # History readers get an incident's history, everyone else its page.
            tail = "/history" if auditor else ""
            method, path = "GET", f"/api/incidents/{rng.choice(incident_ids)}{tail}"
        else:
            method, path = "GET", f"/api/tasks/{rng.choice(task_ids)}"
        started = time.perf_counter()
        try:
            if method == "POST":
                assert can_open is not None
                await open_incident(http, board, can_open)
                status = 201
            else:
                response = await http.get(path, headers=headers)
                status = response.status_code
                if status == 200 and path.startswith("/api/me/tasks"):
                    task_ids = [t["id"] for t in response.json()][:20]
                elif status == 200 and path.startswith("/api/incidents?"):
                    incident_ids = [i["id"] for i in response.json()["items"]][:20]
        except StatusError as error:
            status = error.reply.status_code
        except TransportError as error:
            statuses[f"transport:{type(error).__name__}"] += 1
            continue
        latencies.append(time.perf_counter() - started)
        statuses[str(status)] += 1


async def measure(stack: Stack, *, clients: int, seconds: float) -> dict[str, Any]:
    board = await make_board(stack, schools=10)
    staff: list[tuple[str, int | None, bool]] = [
        (school.staff[role], n if role == Role.coordinator else None, False)
        for n, school in enumerate(board.world.schools)
        for role in (Role.coordinator, Role.support, Role.school_leader)
    ] + [
        # Auditors and the privacy officer read an incident's history only (api.access).
        (staff_id, None, role in (Role.auditor, Role.privacy_officer))
        for role, staff_id in board.world.board_staff.items()
    ]
    async with Client(stack.api_url, connections=clients) as http:
        # Something to read: a few incidents at every school, waiting on their first tasks.
        await asyncio.gather(
            *(
                open_incident(http, board, n)
                for n in range(len(board.world.schools))
                for _ in range(3)
            )
        )
        await asyncio.sleep(2)
        latencies: list[float] = []
        statuses: Counter[str] = Counter()
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(
            *(
                _client(http, board, who, can_open, auditor, until, seed, latencies, statuses)
                for seed, (who, can_open, auditor) in zip(
                    range(clients), itertools.cycle(staff), strict=False
                )
            )
        )
        wall = time.perf_counter() - started
    total = sum(statuses.values())
    errors = sum(n for code, n in statuses.items() if code.startswith(("5", "transport")))
    client_errors = sum(n for code, n in statuses.items() if code.startswith("4"))
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": total,
        "requests_per_s": round(total / wall, 1),
        "errors_5xx_or_transport": errors,
        "error_rate": round(errors / total, 4) if total else None,
        "client_errors_4xx": client_errors,
        "statuses": dict(statuses),
        "latency": summary_ms(latencies),
    }
