"""A worker in a container: stop cleanly on SIGTERM, and show an orchestrator that it is alive.

The worker serves no HTTP, so its liveness is a file it touches from its own event loop
(`REGIE_ALIVE_FILE`): a worker whose loop is stuck stops touching it, and the probe
`python -m regie.liveness` (stdlib only, so it costs a few milliseconds) fails once the file
is older than `--max-age` seconds. The file is first written after the worker has connected to
PostgreSQL and Temporal, so the same probe serves for readiness.

As PID 1 in a container, Python ignores SIGTERM unless it installs a handler; without one,
Kubernetes and Docker wait out the grace period and kill the worker. On SIGTERM (or SIGINT)
the worker is asked to shut down: it stops polling, and `Worker.run()` returns.
"""

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

BEAT_SECONDS = 10.0
DEFAULT_MAX_AGE = 60.0


class Stoppable(Protocol):
    async def shutdown(self) -> None: ...


def stop_on_signals(worker: Stoppable) -> None:
    """SIGTERM or SIGINT asks `worker` to shut down (once; a second signal changes nothing)."""
    loop = asyncio.get_running_loop()
    pending: list[asyncio.Task[None]] = []

    def request_shutdown() -> None:
        if not pending:
            pending.append(loop.create_task(worker.shutdown()))

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, request_shutdown)


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    # touch() keeps the old time on some filesystems when the file exists; set it explicitly.
    now = time.time()
    os.utime(path, (now, now))


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)


@contextlib.asynccontextmanager
async def beating(path: Path | None, *, every: float = BEAT_SECONDS) -> AsyncIterator[None]:
    """Touch `path` now and every `every` seconds while the block runs; remove it after."""
    if path is None:
        yield
        return

    async def beat() -> None:
        while True:
            touch(path)
            await asyncio.sleep(every)

    touch(path)
    task = asyncio.get_running_loop().create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        remove(path)


def fresh(path: Path, *, max_age: float, now: float | None = None) -> bool:
    """Whether `path` exists and was touched at most `max_age` seconds ago."""
    try:
        touched = path.stat().st_mtime
    except OSError:
        return False
    return ((time.time() if now is None else now) - touched) <= max_age


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m regie.liveness",
        description="Exit 0 if the worker touched its alive file recently, 1 if not.",
    )
    parser.add_argument(
        "--file",
        default=os.environ.get("REGIE_ALIVE_FILE", ""),
        help="the file the worker touches (default: REGIE_ALIVE_FILE)",
    )
    parser.add_argument("--max-age", type=float, default=DEFAULT_MAX_AGE, help="seconds")
    args = parser.parse_args(argv)
    if not args.file:
        print("Set REGIE_ALIVE_FILE (the worker's alive file) or pass --file.", file=sys.stderr)
        return 2
    if fresh(Path(args.file), max_age=args.max_age):
        return 0
    print(
        f"{args.file} is missing or older than {args.max_age:g}s: the worker has not connected"
        " yet, or its event loop is stuck. Its log says which.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
