"""A run directory read back for comparison: every way it can be missing or corrupt is one
line naming the file and the field, raised as RunDirError (exit 2), never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from livefire.base.errors import RunDirError
from livefire.cli import main
from livefire.history.runs import load_run
from tests.unit.history.conftest import check, report


def write(run: Path, data: Any) -> Path:
    run.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data)
    (run / "report.json").write_text(text)
    return run


def refused(run: Path) -> str:
    with pytest.raises(RunDirError) as err:
        load_run(run)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_a_good_report_is_read(tmp_path: Path) -> None:
    good = report(check("stream_latency_p95", 0.1, 0.25, "<= 250 ms"))
    assert load_run(write(tmp_path / "run", good))["scenario"] == "smoke"
    assert load_run(tmp_path / "run" / "report.json")["scenario"] == "smoke"


def test_a_missing_directory_or_report_is_named(tmp_path: Path) -> None:
    assert (
        refused(tmp_path / "nowhere") == f"{tmp_path / 'nowhere'}: no such run directory "
        "(`livefire run --run-dir` makes one)"
    )
    (tmp_path / "empty").mkdir()
    assert refused(tmp_path / "empty").startswith(f"{tmp_path / 'empty' / 'report.json'}: missing")


def test_a_report_that_is_not_json_names_its_line(tmp_path: Path) -> None:
    message = refused(write(tmp_path / "run", '{\n  "schema": "livefire.report/1",\n  oops\n}'))
    assert message.startswith(f"{tmp_path / 'run' / 'report.json'}: not JSON: line 3")


@pytest.mark.parametrize(
    ("damage", "field"),
    [
        (lambda r: r["checks"][0].update(measured="fast"), "checks[0].measured: 'fast'"),
        (lambda r: r["checks"][0].pop("promise"), "checks[0]: 'promise' is a required"),
        (lambda r: r.pop("checks"), "the top level: 'checks' is a required"),
        (lambda r: r.update(schema="livefire.report/9"), "schema: "),
        (lambda r: r["timeline"][3].update(t=None), "timeline[3].t: None"),
    ],
)
def test_a_corrupt_field_is_named(tmp_path: Path, damage: Any, field: str) -> None:
    bad = report(check("stream_latency_p95", 0.1, 0.25, "<= 250 ms"))
    damage(bad)
    message = refused(write(tmp_path / "run", bad))
    assert message.startswith(f"{tmp_path / 'run' / 'report.json'}: {field}"), message


def test_the_cli_says_it_on_one_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path / "a", report(check("stream_latency_p95", 0.1, 0.25, "<= 250 ms")))
    assert main(["compare", str(good), str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    missing = tmp_path / "b"
    assert (
        err == f"livefire: {missing}: no such run directory (`livefire run --run-dir` makes one)\n"
    )


def test_the_cli_refuses_another_scenarios_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = check("stream_latency_p95", 0.1, 0.25, "<= 250 ms")
    a = write(tmp_path / "a", report(one))
    b = write(tmp_path / "b", report(one, scenario="cdn-region-outage"))
    assert main(["compare", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert "'smoke'" in err and "'cdn-region-outage'" in err and str(a) in err and str(b) in err
    assert not (b / "compare.json").exists()


def test_the_cli_takes_report_files_and_writes_beside_the_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path / "a", report(check("stream_latency_p95", 0.1, 0.25, "<= 250 ms")))
    b = write(tmp_path / "b", report(check("stream_latency_p95", 0.2, 0.25, "<= 250 ms")))
    assert main(["compare", str(a / "report.json"), str(b / "report.json")]) == 1
    assert (b / "compare.json").exists() and (b / "compare.html").exists()
    assert "WORSE  stream_latency_p95 [overall]" in capsys.readouterr().out
