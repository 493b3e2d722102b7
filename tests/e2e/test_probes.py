"""Probes end to end, against Debian's real Prometheus scraping the reference platform's
`/metrics` (the router's `router_region_healthy{region}`, which it sets from health checks
through the same fault proxies viewers use). One platform (`livefire stubs up --detach`) and
one Prometheus serve three short game days:

- healthy: a PromQL steady-state check and a PromQL guard hold through a mild fault, and
  the probe's SLO and recovery are in the verdict: exit 0;
- the guard fires: a black-holed region drops the probe below its bound, the run aborts
  (exit 3) naming the probe, and the fault is reverted (journal and proxy say so);
- the steady state is broken before the run (a region's link disabled by hand): the run
  aborts (exit 3) before the first fault, naming the probe and what it read; nothing was
  injected.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import requests
import yaml

from livefire.reports import SCHEMA_FILE
from tests.e2e.conftest import ROOT, livefire, report_of
from tests.prometheus_server import PrometheusServer

pytestmark = pytest.mark.e2e
REGIONS = "sum(router_region_healthy)"


def stubs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "livefire", "stubs", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    platform_dir = tmp_path_factory.mktemp("staging")
    up = stubs("up", "--detach", "--run-dir", str(platform_dir))
    assert up.returncode == 0, up.stderr
    try:
        described = json.loads(stubs("status", "--json", "--run-dir", str(platform_dir)).stdout)
        router = urlsplit(described["router"]).netloc
        directory = tmp_path_factory.mktemp("prometheus")
        with PrometheusServer(directory, {"router": [router]}) as prometheus:
            prometheus.wait_for(f"{REGIONS} == 4")
            yield {**described, "prometheus": prometheus.url}
        assert prometheus.process.poll() is not None  # stopped, and proven so
    finally:
        down = stubs("down", "--run-dir", str(platform_dir))
        assert down.returncode == 0, down.stderr


def scenario(platform: dict[str, Any], fault: dict[str, Any], duration: str) -> dict[str, Any]:
    regions = {"prometheus": {"url": platform["prometheus"], "query": REGIONS}, "every": "1s"}
    return {
        "name": "probed-staging",
        "duration": duration,
        "target": {
            "staging": {
                "hls": platform["master_playlists"]["na"][0],
                "proxy_api": platform["proxy_api"],
                "targets": {"edge-apac": {"proxy": "edge-apac"}},
            }
        },
        "load": {"users": {"viewer": 5}, "shape": [{"ramp": "2s", "to": 1.0}], "workers": 1},
        "faults": [{"at": "10s", "target": "edge-apac", **fault}],
        "probes": {"regions": regions},
        "steady_state": [{"probe": "regions", "min": 4}],
        "guards": [{"probe": "regions", "min": 4, "for": "3s"}],
        "slos": {
            "viewer_error_rate": "5%",
            "probes": [{"probe": "regions", "min": 4}],
            "during_faults": {"probes": [{"probe": "regions", "min": 4}]},
            "recovery": {fault["fault"]: "20s"},
        },
    }


def play(tmp_path: Path, game: dict[str, Any]) -> tuple[int, str, Path]:
    path = tmp_path / "probed.yaml"
    path.write_text(yaml.safe_dump(game))
    run_dir = tmp_path / "run"
    proc = livefire("run", str(path), "--run-dir", str(run_dir))
    out, _ = proc.communicate(timeout=150)
    return proc.returncode, out, run_dir


def journal(run_dir: Path) -> list[dict[str, Any]]:
    path = run_dir / "faults.jsonl"  # absent when nothing was ever journaled
    lines = path.read_text().splitlines() if path.exists() else []
    return [json.loads(line) for line in lines if line.strip()]


CANARY = "canary-probe-secret-5e1d"


def test_a_healthy_platform_holds_its_promql_steady_state_guard_and_slo(
    platform: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mild = {"fault": "edge-latency", "for": "10s", "params": {"latency_ms": 50}}
    game = scenario(platform, mild, "30s")
    monkeypatch.setenv("LIVEFIRE_PROBE_CANARY", CANARY)  # inherited by `livefire run`
    ready = {
        "url": f"{platform['prometheus']}/-/ready",
        "headers": {"X-Token": "env:LIVEFIRE_PROBE_CANARY"},
    }
    game["probes"]["ready"] = {"http": ready, "every": "2s"}
    game["probes"]["printed"] = {
        "command": {"argv": [sys.executable, "-c", "print(4)"], "value": "stdout"}
    }
    game["slos"]["probes"] += [{"probe": "ready", "max": "1s"}, {"probe": "printed", "min": 4}]
    code, out, run_dir = play(tmp_path, game)
    assert code == 0, out
    report = report_of(run_dir)
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text()))
    leaked = [p for p in run_dir.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()]
    assert leaked == []  # the secret was sent (env: resolved) but never written down
    checks = {(c["promise"], c["phase"]): c for c in report["checks"]}
    for phase in ("overall", "during_faults", "steady_state:before", "steady_state:after"):
        assert checks[("probe:regions", phase)]["passed"], checks[("probe:regions", phase)]
        assert checks[("probe:regions", phase)]["measured"] == 4.0
    assert checks[("recovery:edge-latency", "f0:probe:regions")]["found"] == "no visible effect"
    readings = report["probes"]["regions"]["samples"]
    assert len(readings) >= 25 and all(r["value"] == 4.0 for r in readings)
    assert "PASS  probe:regions [steady_state:before]" in out
    assert checks[("probe:ready", "overall")]["passed"]
    assert checks[("probe:printed", "overall")]["measured"] == 4.0


def test_a_promql_guard_aborts_the_run_naming_the_probe_and_the_fault_is_reverted(
    platform: dict[str, Any], tmp_path: Path
) -> None:
    api = platform["proxy_api"]
    blackhole = {"fault": "cdn-region-blackhole", "for": "25s"}
    code, out, run_dir = play(tmp_path, scenario(platform, blackhole, "40s"))
    assert code == 3, out
    assert "guard probe regions outside >= 4" in out and "last measured 3" in out
    report = report_of(run_dir)
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text()))
    assert report["result"] == "aborted" and "guard probe regions" in report["error"]
    events = [(e["fault_id"], e["event"]) for e in journal(run_dir)]
    assert ("f0", "injected") in events and ("f0", "reverted") in events
    assert requests.get(f"{api}/proxies/edge-apac", timeout=5).json()["enabled"] is True
    # aborted within seconds of the region going dark, not at the end of the fault
    aborted_at = report["ended"] - report["started"]
    assert aborted_at < 30, aborted_at


def test_a_broken_steady_state_aborts_before_anything_is_broken(
    platform: dict[str, Any], tmp_path: Path
) -> None:
    api, prometheus = platform["proxy_api"], platform["prometheus"]
    disabled = requests.post(f"{api}/proxies/edge-eu", json={"enabled": False}, timeout=5)
    assert disabled.status_code == 200, disabled.text
    try:
        PrometheusQuery(prometheus).wait_for(f"{REGIONS} == 3")
        game = scenario(platform, {"fault": "edge-latency", "for": "5s"}, "30s")
        game["guards"] = []  # the steady state, not the guard, must catch it
        code, out, run_dir = play(tmp_path, game)
    finally:
        requests.post(f"{api}/proxies/edge-eu", json={"enabled": True}, timeout=5)
    assert code == 3, out
    assert "steady state does not hold before the first fault" in out
    assert "probe regions measured 3 (expected >= 4)" in out
    assert (run_dir / "report.json").exists()
    assert not any(e["event"] == "injected" for e in journal(run_dir)), journal(run_dir)
    before = [c for c in report_of(run_dir)["checks"] if c["phase"] == "steady_state:before"]
    assert before and not before[0]["passed"] and before[0]["measured"] == 3.0


class PrometheusQuery(PrometheusServer):
    """The module's running Prometheus, to wait on a query (started by the fixture)."""

    def __init__(self, url: str) -> None:
        self.url = url
