"""`regie worker` and `regie api` as a deployment runs them: /metrics on each, JSON on stderr.

The api is asked for a path with an e-mail address and a name in its query string; neither
may reach its log, and uvicorn's own access line (which would hold both) must not appear.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from notifications.catcher import MailCatcher, free_port
from tests.fixtures.keys import TEST_KEY, TEST_KEY_ID
from tests.fixtures.processes import stop

START_SECONDS = 30


@pytest.fixture
def processes(
    dev_env: WorkflowEnvironment, database_url: str, mail: MailCatcher, tmp_path: Path
) -> Iterator[tuple[str, str, Path, Path]]:
    api_port, metrics_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": dev_env.client.namespace,
        "TASK_QUEUE": f"regie-processes-{uuid.uuid4().hex[:8]}",
        "SMTP_URL": mail.url,
        "REGIE_KEYS": f"{TEST_KEY_ID}:{TEST_KEY}",
        "REGIE_API_PORT": str(api_port),
        "WORKER_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}",
        "LOG_FORMAT": "json",
    }
    started: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []
    logs = {name: tmp_path / f"{name}.log" for name in ("worker", "api")}
    for name, log in logs.items():
        out = log.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "regie.cli", name],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=out,
        )
        started.append((process, out))
    try:
        yield (
            f"http://127.0.0.1:{api_port}",
            f"http://127.0.0.1:{metrics_port}/metrics",
            logs["api"],
            logs["worker"],
        )
    finally:
        for process, stream in started:
            stop(process, timeout=10)
            stream.close()


def _get(url: str, log: Path) -> httpx.Response:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                pytest.fail(f"{url} did not answer in {START_SECONDS}s:\n{log.read_text()}")
            time.sleep(0.2)


def test_worker_and_api_serve_metrics_and_write_json_lines(
    processes: tuple[str, str, Path, Path],
) -> None:
    api, worker_metrics, api_log, worker_log = processes
    address = f"pupil.{uuid.uuid4().hex[:6]}@school.test"
    name = "Zwaantje Oosterbroek-Pietersma"

    for _ in range(100):
        text = _get(worker_metrics, worker_log).text
        if "temporal_num_pollers" in text:
            break
        time.sleep(0.1)
    assert "temporal_num_pollers" in text and 'task_queue="regie-processes-' in text

    health = _get(f"{api}/healthz?email={address}&q={name}", api_log)
    assert health.status_code == 200
    scraped = httpx.get(f"{api}/metrics", timeout=5)
    assert scraped.status_code == 200
    assert 'regie_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in (
        scraped.text
    )
    assert "regie_open_incidents" in scraped.text

    lines = [json.loads(line) for line in api_log.read_text().splitlines() if line.strip()]
    assert lines, "the api wrote no log line"
    assert any(line.get("route") == "/healthz" and line["status"] == 200 for line in lines)
    assert not any(line["logger"] == "uvicorn.access" for line in lines)
    written = api_log.read_text() + worker_log.read_text()
    assert address not in written and "Zwaantje" not in written and "?" not in written
