"""No secret reaches the run directory: a game day on the embedded platform whose fault proxy
requires a token (LIVEFIRE_PROXY_TOKEN, as a user sets it) injects and reverts a proxy fault
with it, yet not one file of the run (journal, report, telemetry, logs), nor what the run
printed, holds the token."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import pytest
import yaml

from chaos.journal import REVERTED, Journal
from livefire.base.description import PROXY_TOKEN_ENV
from livefire.base.processes import stragglers
from tests.e2e.conftest import livefire, report_of

pytestmark = pytest.mark.e2e

CANARY = "canary-7f3e9b2d-token"


def holding(root: Path, secret: str) -> list[str]:
    """Every file under `root` (recursively) whose bytes contain `secret`."""
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and secret.encode() in path.read_bytes()
    )


def test_the_proxy_token_reaches_no_file_of_the_run(
    tmp_path: Path, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROXY_TOKEN_ENV, CANARY)
    scenario = {
        "name": "secrets",
        "duration": "8s",
        "target": {"embedded": {"topology": "default", "streams": 1}},
        "load": {"users": {"viewer": 2}, "shape": [{"ramp": "1s", "to": 1.0}], "workers": 1},
        "faults": [
            {"at": "2s", "fault": "edge-latency", "target": "edge-apac", "for": "3s",
             "params": {"latency_ms": 100}}
        ],
        "slos": {"viewer_error_rate": "100%"},
    }  # fmt: skip
    path = tmp_path / "secrets.yaml"
    path.write_text(yaml.safe_dump(scenario))
    proc = livefire("run", str(path), "--run-dir", str(run_dir))
    try:
        out, _ = proc.communicate(timeout=180)
    finally:
        proc.kill()
        for pid in stragglers(run_dir):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert (run_dir / "report.json").exists(), out
    assert report_of(run_dir)["target"]["proxy_token_env"] == PROXY_TOKEN_ENV, out
    last = Journal(run_dir).latest()["f0"]
    assert (last.event, last.by) == (REVERTED, "conductor"), last  # the proxy took the token
    assert holding(run_dir, CANARY) == []
    assert CANARY not in out
