"""The safety net through the real CLI, against a staging target livefire did not start: a
fault that cannot be injected, a revert that keeps failing, a load generator that dies early.

The "staging" stream does not exist (nothing listens on port 9), so viewers only fail; these
runs are about the fault journal and the run's status, never about its verdict."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from chaos.journal import REVERTED, Journal
from livefire.base.processes import stragglers
from tests.e2e.conftest import livefire, report_of

pytestmark = pytest.mark.e2e

FLAKY = (
    "import pathlib, sys; c = pathlib.Path(sys.argv[1]); "
    "n = int(c.read_text()) + 1 if c.exists() else 1; c.write_text(str(n)); "
    "sys.exit(0 if n >= int(sys.argv[2]) else 1)"
)  # a revert command that fails until its N-th run


def scenario(tmp_path: Path, targets: dict[str, Any], faults: list[Any], duration: str) -> Path:
    body = {
        "name": "safety-net",
        "duration": duration,
        "target": {"staging": {"hls": "http://127.0.0.1:9/live/x/master.m3u8", "targets": targets}},
        "load": {"users": {"viewer": 1}, "shape": [{"ramp": "1s", "to": 1.0}], "workers": 1},
        "faults": faults,
        "slos": {"viewer_error_rate": "100%", "recovery": {"command": "30s"}},
    }
    path = tmp_path / "safety.yaml"
    path.write_text(yaml.safe_dump(body))
    return path


def test_a_fault_that_cannot_be_injected_fails_the_run_but_not_the_cleanup(
    tmp_path: Path, run_dir: Path
) -> None:
    done = tmp_path / "second-fault-reverted"
    targets = {
        "broken": {"command": {"inject": ["false"]}},
        "fine": {"command": {"inject": ["true"], "revert": ["touch", str(done)]}},
    }
    faults = [
        {"at": "1s", "fault": "command", "target": "broken", "for": "2s"},
        {"at": "2s", "fault": "command", "target": "fine", "for": "2s"},
    ]
    proc = livefire(
        "run", str(scenario(tmp_path, targets, faults, "6s")), "--run-dir", str(run_dir)
    )
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 3, out
    report = report_of(run_dir)
    assert report["status"] == "failed" and report["result"] == "aborted"
    assert (
        "fault f0 (command on broken) was never injected: false exited with code 1"
        in (report["error"])
    )
    assert "inject f0 command on broken FAILED" in out and "RESULT: ABORTED" in out
    assert done.exists()  # the run went on: the next fault was injected and reverted
    assert Journal(run_dir).active() == []


def test_a_revert_that_keeps_failing_is_left_to_a_detached_watchdog(
    tmp_path: Path, run_dir: Path
) -> None:
    counter = tmp_path / "tries"
    # the conductor tries 3 times (on schedule, at the end, in its cleanup); the 5th succeeds
    revert = [sys.executable, "-c", FLAKY, str(counter), "5"]
    targets = {"flaky": {"command": {"inject": ["true"], "revert": revert}}}
    faults = [
        {"at": "1s", "fault": "command", "target": "flaky", "for": "2s", "params": {"attempts": 1}}
    ]
    proc = livefire(
        "run", str(scenario(tmp_path, targets, faults, "5s")), "--run-dir", str(run_dir)
    )
    out, _ = proc.communicate(timeout=120)
    assert (run_dir / "report.json").exists(), out
    report = report_of(run_dir)
    watchdog = report["revert_watchdog"]
    try:
        assert report["revert_failures"] == ["f0"], out
        assert isinstance(watchdog, int) and "detached watchdog" in out
        deadline = time.monotonic() + 20
        while Journal(run_dir).active() and time.monotonic() < deadline:
            time.sleep(0.2)
        last = Journal(run_dir).latest()["f0"]
        assert (last.event, last.by) == (REVERTED, "watchdog")
        assert counter.read_text() == "5"
        while _alive(watchdog) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(watchdog), "the watchdog must exit once nothing is active"
    finally:
        if isinstance(watchdog, int) and _alive(watchdog):
            os.kill(watchdog, signal.SIGKILL)


def test_a_load_generator_that_dies_early_fails_the_run(tmp_path: Path, run_dir: Path) -> None:
    targets = {"fine": {"command": {"inject": ["true"]}}}
    faults = [{"at": "25s", "fault": "command", "target": "fine", "for": "2s"}]
    proc = livefire(
        "run", str(scenario(tmp_path, targets, faults, "40s")), "--run-dir", str(run_dir)
    )
    deadline = time.monotonic() + 60
    master = None
    while master is None and time.monotonic() < deadline:
        assert proc.poll() is None
        if (run_dir / "telemetry" / "started.json").exists():
            master = next((pid for pid in stragglers(run_dir) if _is_master(pid)), None)
        time.sleep(0.2)
    assert master is not None, "no Locust master found"
    os.kill(master, signal.SIGKILL)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 3, out
    report = report_of(run_dir)
    assert report["status"] == "failed"
    assert "the load generator stopped after" in report["error"]
    assert "fault f0 (command on fine) was never injected" in report["error"]
    never = [c for c in report["checks"] if c["promise"] == "recovery:command"]
    assert [c["found"] for c in never] == ["fault never injected"]
    assert stragglers(run_dir) == []


def _is_master(pid: int) -> bool:
    try:
        return b"--master" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False


def _alive(pid: int) -> bool:
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return False
