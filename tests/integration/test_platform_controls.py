"""Negative controls (each sabotage makes its recovery fail for real), start/stop hygiene,
and the `livefire stubs` CLI through a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from livefire_stubs.launcher import start_platform
from livefire_stubs.topology import TOPOLOGIES

from livefire.base.errors import SetupError
from livefire.base.processes import stragglers
from tests.integration.conftest import STUBS, http, wait_for
from tests.integration.creator import camera, push
from tests.integration.platform_checks import (
    last_seq,
    media_url,
    owner,
    playlist,
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
        described = platform.describe().to_json()
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
        # the edge still answers (an edge that stopped answering would prove nothing), and
        # its playlist stops where the killed node left it: at most one segment in flight
        assert seqs and max(seqs) <= before + 1
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


SMALL = """regions: [apac, eu]
chat_nodes: 1
transcoders: 2
lease_ms: 2000
"""


def test_a_push_survives_its_node_dying_by_reconnecting_through_the_route(
    tmp_path: Path,
) -> None:
    topology_file = tmp_path / "small.yaml"
    topology_file.write_text(SMALL)
    platform = start_platform(tmp_path / "run", TOPOLOGIES[str(topology_file)])
    try:
        described = platform.describe().to_json()
        answers: list[Any] = []
        creator = threading.Thread(
            target=lambda: answers.extend(push(described["origin"], "cam9", camera(12), 60))
        )
        creator.start()
        url = f"{described['edges']['eu']}/live/cam9/240p/index.m3u8"
        wait_for(lambda: http_status(url) == 200 and last_seq(url) >= 2, 15, "cam9 live")
        victim = pusher(described, "cam9")
        os.kill(described["components"][victim]["pid"], signal.SIGKILL)
        before = last_seq(url)
        wait_for(lambda: last_seq(url) > before + 1, 12, "cam9 after the reconnect")
        assert "#EXT-X-DISCONTINUITY" in playlist(url).dumps()
        creator.join(60)
        assert answers[-1]["http"] == 200 and answers[-1]["node"] != victim, answers
        assert answers[-1]["first_seq"] > before
    finally:
        platform.stop()
    assert stragglers((tmp_path / "run").resolve()) == []


def pusher(described: dict[str, Any], stream: str) -> str:
    for name, info in described["components"].items():
        if name.startswith("transcoder-"):
            _, body = http("GET", info["url"] + "/streams")
            if stream in body["pushed"]:
                return str(name)
    raise AssertionError(f"nobody is taking the push of {stream}")


def http_status(url: str) -> int:
    try:
        return requests.get(url, timeout=2).status_code
    except requests.RequestException:
        return 0
