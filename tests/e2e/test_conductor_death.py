"""The conductor dies mid-fault against a platform that outlives it (the reference platform,
detached by `livefire stubs up`): after a kill -9 its watchdog ends the black-hole within
TTL + 5 s; after SIGTERM it reverts, stops its own processes and exits 3. The proxy's state
is read through the proxy's own API. The proxy requires a token (LIVEFIRE_PROXY_TOKEN, which
the scenario names as its `token_env`): the watchdog reverts with it, and no file of the run
holds it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from chaos.journal import Journal
from livefire.base.description import PROXY_TOKEN_ENV
from livefire.base.processes import stragglers
from tests.e2e.conftest import ROOT, livefire, report_of
from tests.e2e.test_secrets import CANARY, holding

pytestmark = pytest.mark.e2e

TTL_S = 10.0
SLACK_S = 5.0


def stubs(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, PROXY_TOKEN_ENV: CANARY}  # the platform's proxy requires it
    return subprocess.run(
        [sys.executable, "-m", "livefire", "stubs", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def staging(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    platform_dir = tmp_path_factory.mktemp("staging")
    up = stubs("up", "--detach", "--run-dir", str(platform_dir))
    assert up.returncode == 0, up.stderr
    try:
        described = json.loads(stubs("status", "--json", "--run-dir", str(platform_dir)).stdout)
        tokenless = requests.post(f"{described['proxy_api']}/reset", timeout=5)
        assert tokenless.status_code == 401, "the proxy must require its token"
        yield described
    finally:
        down = stubs("down", "--run-dir", str(platform_dir))
        assert down.returncode == 0, down.stderr


def blackhole_run(tmp_path: Path, described: dict[str, Any]) -> tuple[subprocess.Popen[str], Path]:
    """Start `livefire run` black-holing edge-apac at 5 s; return once the journal says so."""
    scenario = {
        "name": "conductor-death",
        "duration": "60s",
        "target": {
            "staging": {
                "hls": described["master_playlists"]["apac"][0],
                "proxy_api": described["proxy_api"],
                "targets": {"edge-apac": {"proxy": "edge-apac", "token_env": PROXY_TOKEN_ENV}},
            }
        },
        "load": {"users": {"viewer": 2}, "shape": [{"ramp": "1s", "to": 1.0}], "workers": 1},
        "faults": [
            {"at": "5s", "fault": "cdn-region-blackhole", "target": "edge-apac",
             "for": "40s", "ttl": f"{TTL_S:g}s"}
        ],
        "slos": {"viewer_error_rate": "100%"},
    }  # fmt: skip
    path = tmp_path / "death.yaml"
    path.write_text(yaml.safe_dump(scenario))
    run_dir = tmp_path / "run"
    proc = livefire("run", str(path), "--run-dir", str(run_dir))
    journal = run_dir / "faults.jsonl"
    deadline = time.monotonic() + 90
    while not (journal.exists() and '"injected"' in journal.read_text()):
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "the fault was never injected"
        time.sleep(0.1)
    return proc, run_dir


def enabled(api: str) -> bool:
    return bool(requests.get(f"{api}/proxies/edge-apac", timeout=5).json()["enabled"])


def test_kill_9_of_livefire_run_mid_blackhole(
    tmp_path: Path, staging: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROXY_TOKEN_ENV, CANARY)
    api = staging["proxy_api"]
    proc, run_dir = blackhole_run(tmp_path, staging)
    assert not enabled(api)
    killed = time.monotonic()
    proc.kill()
    proc.communicate(timeout=10)
    while not enabled(api):
        assert time.monotonic() - killed < TTL_S + SLACK_S, "black-hole outlived TTL + 5 s"
        time.sleep(0.1)
    assert Journal(run_dir).active() == []
    assert holding(run_dir, CANARY) == []
    deadline = time.monotonic() + 10
    while stragglers(run_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stragglers(run_dir) == []


def test_sigterm_of_livefire_run_reverts_and_exits_3(
    tmp_path: Path, staging: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROXY_TOKEN_ENV, CANARY)
    api = staging["proxy_api"]
    proc, run_dir = blackhole_run(tmp_path, staging)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 3, out
    assert enabled(api)
    assert Journal(run_dir).active() == []
    assert report_of(run_dir)["status"] == "interrupted"
    assert stragglers(run_dir) == []
    assert holding(run_dir, CANARY) == [] and CANARY not in out
