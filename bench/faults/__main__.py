"""`python -m bench.faults [--full] [--scenario NAME] [--json FILE]`: run and print the counts.

Short (default): 10 incidents and a 3-second outage per scenario, as `make test` runs them.
Full: 50 incidents, and the SMTP server down for a whole minute.
"""

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from pathlib import Path

from bench.faults.scenarios import FAULTS, Counts, own_stack, run_scenario

SHORT = {"incidents": 10, "outage": 3.0, "smtp_outage": 3.0, "timeout": 120.0}
FULL = {"incidents": 50, "outage": 10.0, "smtp_outage": 60.0, "timeout": 600.0}


async def run_all(names: list[str], *, full: bool) -> list[Counts]:
    size = FULL if full else SHORT
    results = []
    async with own_stack() as stack:
        for name in names:
            counts = await run_scenario(
                stack,
                name,
                incidents=int(size["incidents"]),
                outage=size["smtp_outage"] if name == "smtp_down" else size["outage"],
                timeout=size["timeout"],
            )
            print(counts.line(), flush=True)
            results.append(counts)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument(
        "--full", action="store_true", help="more incidents, a minute of SMTP outage"
    )
    parser.add_argument(
        "--scenario", action="append", choices=sorted(FAULTS), help="run only this one"
    )
    parser.add_argument("--json", type=Path, help="write the counts to this file")
    args = parser.parse_args(argv)
    results = asyncio.run(run_all(args.scenario or list(FAULTS), full=args.full))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) | {"ok": r.ok} for r in results], indent=2))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
