"""Negative controls (each sabotage makes its recovery fail for real), start/stop hygiene,
and the `livefire stubs` CLI through a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from livefire_stubs.launcher import start_platform
from livefire_stubs.topology import TOPOLOGIES

from livefire.errors import SetupError
from livefire.processes import stragglers
from tests.integration.conftest import STUBS, http
from tests.integration.platform_checks import (
    last_seq,
    media_url,
    owner,
    route,
    seqs_after,
    set_proxy,
)

pytestmark = pytest.mark.integration
LEASE_S = 3.0
REPO = STUBS.parent


def test_sabotaged_platform_neither_fails_over_nor_reroutes(tmp_path: Path) -> None:
    sabotage = ("no-transcoder-failover", "no-region-reroute")
    platform = start_platform(tmp_path, TOPOLOGIES["default"], sabotage)
    try:
        described = platform.describe()
        assert described["sabotage"] == list(sabotage)
        set_proxy(described, "edge-eu", False)
        url = media_url(described, "na")
        victim = owner(described)
        os.kill(described["components"][victim]["pid"], signal.SIGKILL)
        before = last_seq(url)
        time.sleep(3)  # the router's checks see the dead region in 1.5 s
        _, regions = http("GET", described["router"] + "/regions")
        assert regions["eu"]["healthy"] is False  # the router knows, and still sends eu to eu
        assert route(described, "eu")["region"] == "eu"
        seqs = seqs_after(url, LEASE_S + 3)
        assert not seqs or max(seqs) <= before + 1  # at most one segment already in flight
    finally:
        platform.stop()
    assert stragglers(tmp_path.resolve()) == []


def test_unknown_sabotage_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match="did you mean 'no-region-reroute'"):
        start_platform(tmp_path, TOPOLOGIES["default"], ("no-region-rerout",))
    assert not (tmp_path / "logs").exists() and stragglers(tmp_path.resolve()) == []


def livefire(*args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": f"{REPO}{os.pathsep}{STUBS}"}
    argv = [sys.executable, "-m", "livefire", "stubs", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, cwd=REPO)


def test_stubs_up_detach_status_down(tmp_path: Path) -> None:
    run_dir = str(tmp_path / "stubs")
    up = livefire("up", "--detach", "--run-dir", run_dir, "--sabotage", "lossy-ledger")
    try:
        assert up.returncode == 0, up.stderr
        assert "/live/live1/master.m3u8" in up.stdout and "/search?q=live" in up.stdout
        status = livefire("status", "--json", "--run-dir", run_dir)
        assert status.returncode == 0, status.stderr
        described = json.loads(status.stdout)
        assert set(described["master_playlists"]) == {"apac", "na", "eu", "other"}
        for key in ("router", "gifts", "ledger", "discovery", "proxy_api", "chat", "payments"):
            assert described[key], key
        assert described["sabotage"] == ["lossy-ledger"]
        again = livefire("up", "--detach", "--run-dir", run_dir)
        assert again.returncode == 2 and "already running" in again.stderr
    finally:
        down = livefire("down", "--run-dir", run_dir)
    assert down.returncode == 0, down.stderr
    assert stragglers(Path(run_dir).resolve()) == []
    gone = livefire("status", "--run-dir", run_dir)
    assert gone.returncode == 2 and gone.stderr.count("\n") == 1 and "no platform" in gone.stderr


def test_stubs_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    for args, message in (
        (("--sabotage", "lossy-ledgr"), "did you mean 'lossy-ledger'"),
        (("--topology", "nope"), "shipped: default"),
    ):
        done = livefire("up", "--run-dir", str(tmp_path), *args)
        assert done.returncode == 2 and message in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1
