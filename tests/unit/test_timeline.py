"""The fault timeline as planned from a scenario, and as `--dry-run` prints it."""

from pathlib import Path

import pytest
import yaml

from livefire.base.errors import ScenarioError
from livefire.scenario import load_scenario
from livefire.timeline import describe, plan


def scenario(tmp_path: Path, *faults: dict) -> Path:
    body = {
        "name": "timeline",
        "duration": "60s",
        "target": {"embedded": {}},
        "load": {"users": {"viewer": 1}},
        "faults": list(faults),
        "slos": {"viewer_error_rate": "1%"},
    }
    path = tmp_path / "timeline.yaml"
    path.write_text(yaml.safe_dump(body))
    return path


def test_restart_after_moves_a_kills_restart_whatever_for_says(tmp_path: Path) -> None:
    kill = {"at": "10s", "fault": "transcoder-node-kill", "target": "transcoder-1", "for": "30s"}
    path = scenario(tmp_path, {**kill, "params": {"restart_after": "5s"}}, kill)
    delayed, plain = plan(load_scenario(path).scenario)
    assert (delayed.inject_at, delayed.revert_at) == (10.0, 15.0)
    assert (plain.inject_at, plain.revert_at) == (10.0, 40.0)
    assert delayed.ttl >= 5.0


def test_restart_after_without_restart_is_refused(tmp_path: Path) -> None:
    fault = {"at": "1s", "fault": "chat-node-kill", "target": "chat-1"}
    path = scenario(tmp_path, {**fault, "params": {"restart": False, "restart_after": 3}})
    with pytest.raises(ScenarioError, match="restart_after needs restart: true"):
        load_scenario(path)


def test_dry_run_lines_show_each_faults_parameters_with_defaults(tmp_path: Path) -> None:
    fault = {"at": "5s", "fault": "edge-latency", "target": "edge-eu", "for": "10s"}
    path = scenario(tmp_path, {**fault, "params": {"latency_ms": 400}})
    [line] = describe(plan(load_scenario(path).scenario))
    assert line.startswith("f0: t=5s inject edge-latency on edge-eu; revert at t=15s")
    assert "params: latency_ms=400, jitter_ms=0, stream='downstream', toxicity=1.0" in line
