"""Another machine, for real: a `livefire worker` in its own network namespace (a veth pair
the test creates and removes) joins a master bound to that pair's non-loopback address, plays
viewers against a live HLS server nobody here wrote, and its telemetry is part of the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from livefire.base import telemetry as tm
from livefire.base.processes import free_port
from tests import netns
from tests.e2e.conftest import ROOT, livefire, report_of
from tests.integration.test_foreign_hls_distributed import ENV, serving_live_hls
from tests.stopping import stop

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(netns.unavailable() is not None, reason=str(netns.unavailable())),
]
REMOTE = "lf-remote"  # the worker's host name inside its namespace


def test_a_worker_in_another_network_namespace_joins_and_counts(tmp_path: Path) -> None:
    with netns.namespace() as ns:
        name = ns.name
        assert netns.exists(name)
        with serving_live_hls(tmp_path / "hls-server", host=ns.host_address) as hls:
            scenario = {
                "name": "remote-worker",
                "duration": "20s",
                "target": {"staging": {"hls": hls}},
                "load": {
                    "users": {"viewer": 12},
                    "shape": [{"ramp": "2s", "to": 1.0}],
                    "workers": 1,
                },
                "slos": {"viewer_error_rate": "1%"},
            }
            path = tmp_path / "remote.yaml"
            path.write_text(yaml.safe_dump(scenario))
            port = free_port(ns.host_address)
            run_dir = tmp_path / "run"
            run = livefire(
                "run",
                str(path),
                "--run-dir",
                str(run_dir),
                "--master-bind",
                f"{ns.host_address}:{port}",
                "--remote-workers",
                "1",
            )
            worker = subprocess.Popen(
                ns.argv(
                    sys.executable,
                    "-m",
                    "livefire",
                    "worker",
                    "--master",
                    f"{ns.host_address}:{port}",
                    "--processes",
                    "1",
                    hostname=REMOTE,
                ),
                cwd=ROOT,
                env=ENV,
                stdout=subprocess.DEVNULL,
                stderr=(tmp_path / "worker.log").open("wb"),
            )
            try:
                out, _ = run.communicate(timeout=180)
                # without --forever the worker leaves with its master
                assert worker.wait(timeout=30) == 0
            finally:
                stop(worker)
                stop(run)
        assert run.returncode == 0, out
        assert report_of(run_dir)["result"] == "pass", out
        segments: dict[str, int] = {}
        for batch in tm.read_batches(run_dir / "telemetry" / "batches.jsonl"):
            where = "remote" if batch.worker.startswith(f"{REMOTE}_") else "local"
            fetched = sum(s.counters.get(tm.SEGMENTS, 0) for s in batch.seconds)
            segments[where] = segments.get(where, 0) + fetched
        assert segments.get("remote", 0) > 0 and segments.get("local", 0) > 0, segments
    assert not netns.exists(name)  # removed with its veth pair
