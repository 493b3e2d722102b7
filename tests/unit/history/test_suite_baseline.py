"""`livefire suite --baseline DIR`, per scenario, without running any: a missing or unreadable
baseline is said and not fatal; a regression is returned (it fails the scenario) and the
comparison is written beside the run's report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from livefire.cli import build_parser
from livefire.cli.suite import against_baseline
from tests.unit.history.conftest import check, report


def night(root: Path, name: str, data: dict[str, Any] | str) -> Path:
    run = root / name
    run.mkdir(parents=True)
    (run / "report.json").write_text(data if isinstance(data, str) else json.dumps(data))
    return run


def latency(measured: float) -> dict[str, Any]:
    return check("stream_latency_p95", measured, 0.25, "<= 250 ms", found=f"{measured * 1000:g} ms")


def test_a_scenario_missing_from_the_baseline_is_said_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = night(tmp_path / "tonight", "smoke", report(latency(0.1)))
    (tmp_path / "last").mkdir()
    assert against_baseline(tmp_path / "last", "smoke", run) == ""
    assert "== smoke: no baseline run under" in capsys.readouterr().out
    assert not (run / "compare.json").exists()


def test_an_unreadable_baseline_is_said_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = night(tmp_path / "tonight", "smoke", report(latency(0.1)))
    night(tmp_path / "last", "smoke", "{ not json")
    assert against_baseline(tmp_path / "last", "smoke", run) == ""
    out = capsys.readouterr().out
    assert "== smoke: not compared with the baseline:" in out and "not JSON" in out


def test_a_regression_is_returned_printed_and_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = night(tmp_path / "tonight", "smoke", report(latency(0.2)))
    night(tmp_path / "last", "smoke", report(latency(0.1)))
    why = against_baseline(tmp_path / "last", "smoke", run)
    assert (
        why.startswith("regressed against the baseline") and "stream_latency_p95 (overall)" in why
    )
    out = capsys.readouterr().out
    assert "== smoke: REGRESSED against the baseline: stream_latency_p95 (overall)" in out
    assert json.loads((run / "compare.json").read_text())["result"] == "regressed"
    assert (run / "compare.html").exists()


def test_no_regression_returns_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = night(tmp_path / "tonight", "smoke", report(latency(0.1)))
    night(tmp_path / "last", "smoke", report(latency(0.11)))
    assert against_baseline(tmp_path / "last", "smoke", run) == ""
    assert "== smoke: against the baseline: ok" in capsys.readouterr().out


def test_the_option_is_there() -> None:
    args = build_parser().parse_args(["suite", "s/", "--baseline", "runs/last"])
    assert args.baseline == Path("runs/last")
