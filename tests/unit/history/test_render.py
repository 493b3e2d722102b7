"""What a comparison looks like: the terminal lines name every regression, compare.json
satisfies its published schema, compare.html works offline with both runs' lines."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema

from livefire.history import compare_dirs, write
from livefire.history.compare import compare
from livefire.history.render import SCHEMA_FILE, delta, summary, to_json
from tests.unit.history.conftest import check, report


def pair() -> tuple[dict[str, Any], dict[str, Any]]:
    old = report(
        check("stream_latency_p95", 0.100, 0.25, "<= 250 ms", found="100 ms"),
        check("viewer_error_rate", 0.001, 0.01, "<= 1%", found="0.1%"),
    )
    new = report(
        check("stream_latency_p95", 0.180, 0.25, "<= 250 ms", found="180 ms"),
        check("viewer_error_rate", 0.001, 0.01, "<= 1%", found="0.1%"),
    )
    for row in new["timeline"]:  # the run's latency line differs from the baseline's
        if row["latency_p95_ms"] is not None:
            row["latency_p95_ms"] += 80.0
    return old, new


def test_the_summary_shows_both_figures_the_delta_and_names_the_regression() -> None:
    old, new = pair()
    lines = summary(compare(old, new), "runs/a", "runs/b")
    text = "\n".join(lines)
    [row] = [ln for ln in lines if "stream_latency_p95 [overall]" in ln]
    assert row.split()[0] == "WORSE" and "100 ms" in row and "180 ms" in row
    assert "+80 ms" in row and "25 ms" in row  # delta and allowance
    [same] = [ln for ln in lines if "viewer_error_rate [overall]" in ln]
    assert same.split()[0] == "same"
    assert lines[-2].startswith("RESULT: REGRESSED — 1 promise(s)")
    assert lines[-1].strip().startswith("stream_latency_p95 (overall): 100 ms → 180 ms")
    assert "baseline runs/a (pass)" in text
    assert "RESULT: OK" in "\n".join(summary(compare(old, old), "a", "a"))


def test_deltas_read_in_the_promises_unit() -> None:
    assert delta(0.031, "s") == "+31 ms" and delta(-7.9, "s") == "-7.9 s"
    assert delta(0.233, "ratio") == "+23.3 pp" and delta(-0.0001, "ratio") == "-0.01 pp"
    assert delta(2, "count") == "+2" and delta(None, "s") == "—"


def test_the_json_satisfies_its_published_schema() -> None:
    old, new = pair()
    data = to_json(compare(old, new), "runs/a", "runs/b")
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    assert data["schema"] == "livefire.compare/1" and data["result"] == "regressed"
    assert data["regressions"] == ["stream_latency_p95[overall]"]
    [row] = [r for r in data["rows"] if r["promise"] == "stream_latency_p95"]
    assert row["baseline"]["measured"] == 0.1 and row["run"]["measured"] == 0.18
    assert round(row["delta"], 6) == 0.08 and row["better"] == "lower"


def test_the_files_are_written_and_the_page_overlays_both_runs_offline(tmp_path: Path) -> None:
    old, new = pair()
    for name, data in (("a", old), ("b", new)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_text(json.dumps(data))
    compared = compare_dirs(tmp_path / "a", tmp_path / "b")
    assert compared.exit_code == 1
    written = write(compared, tmp_path / "b")
    assert [p.name for p in written] == ["compare.json", "compare.html"]
    page = (tmp_path / "b" / "compare.html").read_text()
    assert not re.search(r"<script[^>]+src=", page), "the page must work offline"
    assert 'id="plot-latency"' in page and "p95 (baseline)" in page and "p95 (run)" in page
    assert 'class="regressed"><td>stream_latency_p95' in page
    assert "<td class=num>&lt;= 1%</td>" in page  # a ratio's promise as a percentage
    assert "<td class=num>&lt;= 250 ms</td>" in page
    assert json.loads((tmp_path / "b" / "compare.json").read_text())["result"] == "regressed"
