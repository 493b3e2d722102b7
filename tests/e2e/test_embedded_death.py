"""The conductor dies mid-fault on the embedded platform it started (kill -9): the platform
dies with it, proxy included, so the fault died too. Nothing of the run may linger (its
watchdog included) past the fault's TTL + 5 s, the journal must call the fault void (target
gone), and `livefire chaos revert` must then find nothing to revert."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from chaos.journal import VOID, Journal
from livefire.base.processes import stragglers
from tests.e2e.conftest import livefire

pytestmark = pytest.mark.e2e

TTL_S = 10.0
SLACK_S = 5.0
START_S = 120.0  # the platform starts and the fault is injected within this


def embedded_run(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    """Start `livefire run` slowing edge-apac at 2 s; return once the journal says injected."""
    scenario = {
        "name": "embedded-death",
        "duration": "60s",
        "target": {"embedded": {"topology": "default", "streams": 1}},
        "load": {"users": {"viewer": 2}, "shape": [{"ramp": "1s", "to": 1.0}], "workers": 1},
        "faults": [
            {"at": "2s", "fault": "edge-latency", "target": "edge-apac", "for": "40s",
             "ttl": f"{TTL_S:g}s", "params": {"latency_ms": 300}}
        ],
        "slos": {"viewer_error_rate": "100%"},
    }  # fmt: skip
    path = tmp_path / "embedded-death.yaml"
    path.write_text(yaml.safe_dump(scenario))
    run_dir = tmp_path / "run"
    proc = livefire("run", str(path), "--run-dir", str(run_dir), "--quiet")
    journal = run_dir / "faults.jsonl"
    deadline = time.monotonic() + START_S
    while not (journal.exists() and '"injected"' in journal.read_text()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the fault was never injected: {proc.communicate(timeout=10)[0]}")
        time.sleep(0.1)
    return proc, run_dir


def test_kill_9_mid_fault_on_the_embedded_platform_leaves_nothing(tmp_path: Path) -> None:
    proc, run_dir = embedded_run(tmp_path)
    try:
        killed = time.monotonic()
        proc.kill()
        proc.communicate(timeout=10)
        while stragglers(run_dir) and time.monotonic() - killed < TTL_S + SLACK_S:
            time.sleep(0.2)
        left = stragglers(run_dir)
        assert left == [], f"still running {time.monotonic() - killed:.1f} s after: {left}"
        last = Journal(run_dir).latest()["f0"]
        assert last.event == VOID and "target gone" in last.error, last
        revert = livefire("chaos", "revert", "--journal", str(run_dir))
        out, _ = revert.communicate(timeout=60)
        assert revert.returncode == 0, out
        assert out.startswith("nothing to revert"), out
    finally:
        for pid in stragglers(run_dir):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
