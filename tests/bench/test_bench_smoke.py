"""`python -m bench --size smoke`: the bench harness runs end to end on its own servers.

No timing is asserted (timings are the bench's to report, not the tests'); what is checked is
that every part ran and saw what it had to: every task e-mail once, every incident moving on
after the worker restart, no 5xx under load.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_smoke_size_runs_every_part(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--size", "smoke", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(out.read_text())
    assert "Regie bench, size smoke" in done.stdout

    overhead = results["overhead"]
    assert overhead["shape"]["updates"] == 8  # one answer per step of a full incident
    assert overhead["regie"]["task_mails"] == overhead["regie"]["task_mails_expected"]
    assert overhead["regie"]["duplicate_task_mails"] == 0
    # Two bare-then-Regie pairs; the ratio is their median, the mean of two.
    pairs = overhead["pairs"]
    assert len(pairs) == overhead["rounds"] == 2
    assert overhead["regie"]["task_mails_expected"] == 2 * 2 * 8
    assert overhead["overhead_ratio"] == round((pairs[0]["ratio"] + pairs[1]["ratio"]) / 2, 2)
    # Regie's CPU per incident against the bare run's, over the same pairs.
    regie_cpu, bare_cpu = (sum(p[f"{side}_cpu_s"] for p in pairs) for side in ("regie", "bare"))
    assert overhead["cpu_ratio"] == round(regie_cpu / bare_cpu, 2) > 1
    assert overhead["latency"]["answer_to_next_mail"]["n"] > 0
    light = overhead["latency_light"]
    assert light["in_flight"] == 1 and light["answer_to_next_mail"]["n"] > 0
    assert light["bare_update_accepted"]["n"] == overhead["shape"]["updates"]

    (capacity,) = results["capacity"]
    assert capacity["progressed_after_restart"] == capacity["open_incidents"]
    assert capacity["failures"] == [] and capacity["duplicate_task_mails"] == 0

    reads = results["reads"]
    for name in ("list_board", "list_board_open", "list_school", "board_overview"):
        read, floor = reads[name], reads[name]["empty_request_plus_psycopg"]
        assert read["api"]["n"] == read["psycopg"]["n"] == floor["n"] > 0
        assert floor["p50_ms"] > read["psycopg"]["p50_ms"]

    load = results["load"]
    assert load["requests"] > 0
    assert load["errors_5xx_or_transport"] == 0 and load["client_errors_4xx"] == 0
