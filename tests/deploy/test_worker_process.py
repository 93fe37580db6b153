"""`regie worker` as a container runs it: alive file for its probes, /metrics on the address the
manifests give Prometheus, a clean stop on SIGTERM.

A real process against the session's PostgreSQL and Temporal dev server, on a task queue of its
own so it takes no work from the other tests' workers.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from notifications.catcher import MailCatcher, free_port
from regie.liveness import fresh, main
from tests.fixtures.keys import TEST_KEY, TEST_KEY_ID
from tests.fixtures.temporal import BIN


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_worker_beats_while_running_and_stops_cleanly_on_sigterm(
    database_url: str, dev_env: WorkflowEnvironment, mail_catcher: MailCatcher, tmp_path: Path
):
    alive = tmp_path / "alive"
    metrics_port = free_port()  # the manifests' 0.0.0.0:9464, on a port no one else uses here
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": database_url,
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "TASK_QUEUE": f"deploy-test-{uuid.uuid4().hex[:8]}",
        "SMTP_URL": mail_catcher.url,
        "REGIE_KEYS": f"{TEST_KEY_ID}:{TEST_KEY}",
        "REGIE_ALIVE_FILE": str(alive),
        "REGIE_HOME": str(tmp_path / "home"),
        "WORKER_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}",
        "LOG_FORMAT": "json",
    }
    log = tmp_path / "worker.log"

    def output() -> str:
        return log.read_text(errors="replace")

    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(BIN / "regie"), "worker"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(alive.exists, 60), f"the worker never touched its alive file:\n{output()}"
        # The probe the manifests run, as its own process with the container's environment.
        probe = subprocess.run(
            [sys.executable, "-m", "regie.liveness", "--max-age", "60"],
            env={**env, "PYTHONPATH": os.getcwd()},
            capture_output=True,
            timeout=30,
            check=False,
        )
        assert probe.returncode == 0, probe.stderr
        # What Prometheus scrapes: the SDK's own metrics, served by the worker's runtime.
        url = f"http://127.0.0.1:{metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as answer:
            exposition = answer.read().decode()
        assert "# TYPE temporal_" in exposition, exposition[:500]
        process.send_signal(signal.SIGTERM)
        # Without its handler, SIGTERM would kill the process (exit -15) mid-way.
        assert process.wait(timeout=30) == 0, output()
        assert not alive.exists(), "a stopped worker must not look alive"
        assert main(["--file", str(alive)]) == 1
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_stale_alive_file_fails_the_probe(tmp_path: Path):
    alive = tmp_path / "alive"
    alive.touch()
    now = time.time()
    os.utime(alive, (now - 120, now - 120))
    assert not fresh(alive, max_age=60)
    assert main(["--file", str(alive), "--max-age", "60"]) == 1
    assert main(["--file", str(alive), "--max-age", "300"]) == 0
    assert fresh(alive, max_age=60, now=now - 90)


def test_the_probe_says_what_to_set_without_a_file(monkeypatch, capsys):
    monkeypatch.delenv("REGIE_ALIVE_FILE", raising=False)
    assert main([]) == 2
    assert "REGIE_ALIVE_FILE" in capsys.readouterr().err
