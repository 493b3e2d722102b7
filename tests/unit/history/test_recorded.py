"""The tolerance travels with the run: `judge` records the scenario's `compare:` block in
report.json (schema-valid), and the comparison of two such reports applies it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema

from livefire.history.compare import REGRESSED, WITHIN, compare
from livefire.judge import judge
from livefire.reports import SCHEMA_FILE
from livefire.scenario import load_scenario
from tests.unit.history.test_tolerance import SCENARIO
from tests.unit.reports.test_build import outcome


def test_the_scenarios_tolerance_is_in_the_report_and_is_what_compare_uses(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        SCENARIO.replace("250ms", "1000ms")
        + "compare: {tolerance: 40%, promises: {recovery: 3s}}\n"
    )
    loaded = load_scenario(path)
    report = judge(loaded.scenario, str(path), outcome()).report
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text()))
    assert report["compare"] == {"tolerance": 0.4, "promises": {"recovery": {"absolute": 3.0}}}
    [latency] = [c for c in report["checks"] if c["promise"] == "stream_latency_p95"]
    worse = copy.deepcopy(report)
    [moved] = [c for c in worse["checks"] if c["promise"] == "stream_latency_p95"]
    assert latency["passed"] and latency["measured"] < 0.5
    moved["measured"] = latency["measured"] + 0.35  # 40% of 1000 ms is 400 ms
    row = next(r for r in compare(report, worse).rows if r.promise == "stream_latency_p95")
    assert row.status == WITHIN
    moved["measured"] = latency["measured"] + 0.45  # still held, but worse past 400 ms
    row = next(r for r in compare(report, worse).rows if r.promise == "stream_latency_p95")
    assert row.status == REGRESSED
