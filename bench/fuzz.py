"""Bad input at scale: schemathesis against the running API's /openapi.json with real tokens.

The app runs under uvicorn on a free port, over a real PostgreSQL, the Temporal dev server, a
worker and an SMTP catcher; schemathesis (its CLI, run as a process) sends generated and
mutated requests with a staff member's bearer token and checks every answer: no 5xx, status
code, content type, headers and body as the schema declares.

    python -m bench.fuzz [--examples N] [--max-time SECONDS] [--roles all | ROLE,ROLE]

prints the number of cases per token and exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from api.app import create_app
from api.runtime import Runtime
from domain.roles import SCHOOL_ROLES, Role
from notifications.catcher import free_port

BIN = Path(sys.executable).parent

# What the API must get right whatever it is sent. Left out, with why:
# - positive_data_acceptance: schemathesis calls a 404 for a made-up task id "rejecting valid
#   data"; ids that exist cannot be generated from the schema.
# - use_after_free, ensure_resource_availability: need links between operations, which this
#   schema does not declare.
# - ignored_auth: checked by tests/api/test_access_matrix.py with real roles.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
)

_CASES = re.compile(r"(\d+)\s+generated", re.IGNORECASE)


@dataclass
class FuzzResult:
    label: str
    exit_code: int
    cases: int
    output: str
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def line(self) -> str:
        return f"fuzz {self.label:<14} cases {self.cases:>6}  {'OK' if self.ok else 'FAILED'}"


@asynccontextmanager
async def serve(runtime: Runtime) -> AsyncIterator[str]:
    """The app over `runtime` on a free local port, in this event loop; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def run_schemathesis(
    base_url: str,
    token: str,
    *,
    label: str,
    examples: int,
    report_dir: Path,
    max_time: float | None = None,
    phases: str | None = None,
    seed: int = 7,
) -> FuzzResult:
    """Run the schemathesis CLI against `base_url` as the token's owner; count its cases."""
    await asyncio.to_thread(report_dir.mkdir, parents=True, exist_ok=True)
    ndjson = report_dir / f"{label}.ndjson"
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base_url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--workers",
        "2",
        "--no-shrink",
        "--request-timeout",
        "30",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(ndjson),
        "--output-sanitize",
        "true",
    ]
    if max_time is not None:
        # Fuzzing and stateful testing then repeat until this much time is spent.
        command += ["--max-time", str(int(max_time))]
    if phases is not None:
        command += ["--phases", phases]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={"NO_COLOR": "1", "PATH": str(BIN), "HOME": str(report_dir)},
    )
    out, _ = await process.communicate()
    output = out.decode(errors="replace")
    return FuzzResult(
        label=label,
        exit_code=process.returncode or 0,
        cases=_count_cases(ndjson, output),
        output=output,
    )


def _count_cases(ndjson: Path, output: str) -> int:
    """Test cases sent: from the NDJSON report's events, else from the summary line."""
    cases = 0
    if ndjson.exists():
        for line in ndjson.read_text().splitlines():
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                cases += _cases_in(event)
    if cases:
        return cases
    match = _CASES.search(output)
    return int(match.group(1)) if match else 0


def _cases_in(event: object) -> int:
    # One ScenarioFinished event per generated scenario, each with its recorded cases.
    if isinstance(event, dict):
        finished = event.get("ScenarioFinished")
        if isinstance(finished, dict):
            recorder = finished.get("recorder", {})
            if isinstance(recorder, dict):
                return len(recorder.get("cases", {}))
    return 0


# Whose token the requests carry: each role reaches other code (the board's lists, a school's,
# an auditor's history only). The default two cover writing at a school and at the board.
DEFAULT_ROLES = (Role.coordinator, Role.board_admin)


async def _main(examples: int, max_time: float | None, roles: list[Role]) -> int:
    from bench.faults.scenarios import own_stack
    from notifications.smtp import SmtpSettings
    from regie.settings import Settings
    from store import tokens
    from tests.fixtures.world import make_world

    async with own_stack() as stack:
        service = stack.service
        catcher = stack.servers.mail.catcher
        settings = Settings(
            base_url="http://regie.bench",
            secret_key="bench-faults-secret-0123456789",
            task_queue=service.task_queue,
            smtp_url=catcher.url,
        )
        runtime = Runtime(
            settings=settings,
            pool=service.pool,
            temporal=service.temporal,
            smtp=SmtpSettings.from_url(catcher.url),
        )
        world = await make_world(service.pool)
        who = {
            role.value: world.school.staff[role]
            if role in SCHOOL_ROLES
            else world.board_staff[role]
            for role in roles
        }
        # Something for the generated requests to find: an incident with open tasks.
        await service.start_incident(school_id=world.school.id, summary="fuzz", created_by=None)
        async with service.pool.connection() as conn:
            made = {
                label: await tokens.create_token(conn, staff_id=staff_id, label="fuzz")
                for label, staff_id in who.items()
            }
        results = []
        async with serve(runtime) as base_url:
            for label, token in made.items():
                result = await run_schemathesis(
                    base_url,
                    token,
                    label=label,
                    examples=examples,
                    max_time=max_time,
                    report_dir=Path("bench/results/fuzz"),
                )
                print(result.line(), flush=True)
                if not result.ok:
                    print(result.output[-6000:])
                results.append(result)
    return 0 if all(r.ok for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__)
    parser.add_argument("--examples", type=int, default=200, help="cases per operation")
    parser.add_argument("--max-time", type=float, default=None, help="seconds per token")
    parser.add_argument(
        "--roles",
        default=",".join(DEFAULT_ROLES),
        help=f"whose tokens, comma-separated, or 'all': {', '.join(Role)}",
    )
    args = parser.parse_args(argv)
    names = [r.strip() for r in args.roles.split(",") if r.strip()]
    if unknown := sorted(set(names) - set(Role) - {"all"}):
        parser.error(f"unknown role(s) {', '.join(unknown)}; use {', '.join(Role)} or all")
    roles = list(Role) if "all" in names else [Role(name) for name in names]
    return asyncio.run(_main(args.examples, args.max_time, roles))


if __name__ == "__main__":
    sys.exit(main())
