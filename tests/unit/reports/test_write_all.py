"""write_all, the registry, and the JSON Schema the sample report must satisfy."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from livefire.base.errors import ReportError
from livefire.reports import FORMATS, SCHEMA_FILE, write_all
from tests.unit.reports.conftest import Report, full_report, minimal_report

SCHEMA = json.loads(SCHEMA_FILE.read_text())


def test_every_format_lands_in_the_run_dir(sample: Report, tmp_path: Path) -> None:
    paths = write_all(sample, tmp_path / "run")
    names = ["report.json", "junit.xml", "report.html", "metrics.prom"]
    assert [p.name for p in paths] == names
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == sorted(names)
    assert json.loads((tmp_path / "run" / "report.json").read_text()) == sample
    assert (paths[3].stat().st_mode & 0o777) == 0o644


def test_unknown_format_is_refused_with_a_suggestion_before_writing(
    sample: Report, tmp_path: Path
) -> None:
    with pytest.raises(ReportError, match="unknown report format 'junt'; did you mean 'junit'"):
        write_all(sample, tmp_path, formats=("json", "junt"))
    assert list(tmp_path.iterdir()) == []


def test_a_failing_format_does_not_cost_the_others(
    sample: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(report: dict[str, Any]) -> str:
        raise ValueError("bad figure")

    html = dataclasses.replace(FORMATS.get("html"), render=boom)
    monkeypatch.setitem(FORMATS._items, "html", html)
    with pytest.raises(ReportError, match=r"html \(report.html\): ValueError: bad figure"):
        write_all(sample, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "junit.xml",
        "metrics.prom",
        "report.json",
    ]


def test_report_missing_optional_fields_renders_in_every_format(tmp_path: Path) -> None:
    assert len(write_all(minimal_report(), tmp_path)) == 4
    assert len(write_all({}, tmp_path / "empty")) == 4


def test_sample_and_full_reports_satisfy_the_schema(sample: Report) -> None:
    jsonschema.validate(sample, SCHEMA)
    jsonschema.validate(full_report(), SCHEMA)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "done"}, "'done' is not one of"),
        ({"schema": "livefire.report/2"}, "was expected"),
        ({"checks": [{"promise": "x"}]}, "'phase' is a required property"),
    ],
)
def test_schema_rejects_what_readers_cannot_trust(
    sample: Report, change: Report, message: str
) -> None:
    with pytest.raises(jsonschema.ValidationError, match=message):
        jsonschema.validate(sample | change, SCHEMA)


def test_partial_rows_render_in_every_format(tmp_path: Path) -> None:
    """Rows from a newer or older writer: missing keys and unknown shapes are shown or skipped,
    never a crash."""
    report = full_report()
    report["faults"].append({"fault_id": "f1", "fault": "redis-kill", "start_s": 50.0})
    report["recovery"].append({"fault_id": "f1"})
    report["timeline"][5] = {"t": 5.0, "users": {"viewer": 3}, "requests": 0, "errors": 0}
    report["checks"].append({"promise": "gift_success", "measured": 0.5})
    paths = write_all(report, tmp_path)
    page = paths[2].read_text()
    assert "redis-kill" in page and "gift_success" in page
