"""The staging path: a platform livefire did not start for this run (here the reference
platform, detached by `livefire stubs up`) is exercised only through the URLs and fault
targets the scenario declares, and the fault is undone — checked through its proxy API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from livefire.base.processes import stragglers
from tests.e2e.conftest import ROOT, livefire, report_of

pytestmark = pytest.mark.e2e


def stubs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "livefire", "stubs", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_staging_scenario_drives_declared_urls_and_faults_only(tmp_path: Path) -> None:
    platform_dir = tmp_path / "staging"
    up = stubs("up", "--detach", "--run-dir", str(platform_dir))
    assert up.returncode == 0, up.stderr
    try:
        described = json.loads(stubs("status", "--json", "--run-dir", str(platform_dir)).stdout)
        api = described["proxy_api"]
        scenario = {
            "name": "staging-check",
            "duration": "40s",
            "target": {
                "staging": {
                    "hls": described["master_playlists"]["apac"][0],
                    "proxy_api": api,
                    "targets": {"edge-apac": {"proxy": "edge-apac"}},
                }
            },
            "load": {"users": {"viewer": 10}, "shape": [{"ramp": "2s", "to": 1.0}], "workers": 1},
            "faults": [
                {
                    "at": "15s",
                    "fault": "edge-latency",
                    "target": "edge-apac",
                    "for": "10s",
                    "params": {"latency_ms": 300},
                }
            ],
            "slos": {
                "viewer_error_rate": "1%",
                "during_faults": {"stream_latency_p95": "2s"},
                "before_faults": {"stream_latency_p95": "250ms"},
            },
        }
        path = tmp_path / "staging.yaml"
        path.write_text(yaml.safe_dump(scenario))
        proxies_before = requests.get(f"{api}/proxies", timeout=5).json()
        run_dir = tmp_path / "run"
        proc = livefire("run", str(path), "--run-dir", str(run_dir))
        out, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0, out
        checks = {(c["promise"], c["phase"]): c for c in report_of(run_dir)["checks"]}
        assert checks[("stream_latency_p95", "during_faults")]["measured"] >= 0.6  # 300 ms ×2
        toxics = requests.get(f"{api}/proxies/edge-apac/toxics", timeout=5).json()
        assert toxics == []  # reverted, as the platform itself reports
        # only the declared fault on the declared target: the journal names nothing else, and
        # every proxy of the platform is as it was (none deleted, recreated or disabled)
        journal = [json.loads(line) for line in (run_dir / "faults.jsonl").read_text().splitlines()]
        assert journal and {e["target"] for e in journal if e.get("target")} == {"edge-apac"}
        assert {e["fault"] for e in journal if e.get("fault")} == {"edge-latency"}
        assert requests.get(f"{api}/proxies", timeout=5).json() == proxies_before
        assert stragglers(run_dir) == []  # livefire started nothing of the platform's
    finally:
        down = stubs("down", "--run-dir", str(platform_dir))
        assert down.returncode == 0, down.stderr
    assert stragglers(platform_dir) == []
