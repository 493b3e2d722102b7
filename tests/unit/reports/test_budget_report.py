"""The report's latency_budget: each stage from the viewers' stage histograms beside its
documented budget, in report.json (schema-valid), the summary, the HTML (a bar per stage)
and metrics.prom; a run whose platform stamped nothing, and a report written before the
section existed, show no budget at all. The glass-to-glass panel plots per-second rows."""

from __future__ import annotations

import json
import re

import jsonschema
from prometheus_client.parser import text_string_to_metric_families

from livefire import report as reports
from livefire.base import telemetry as tm
from livefire.base.description import TargetDescription
from livefire.outcome import RunOutcome
from livefire.reports import SCHEMA_FILE, render
from livefire.scenario.schema import Slos
from livefire.verdict.engine import evaluate
from tests.unit.reports import conftest

T0 = 1_000.0
PANEL = '<table id="latency-budget">'  # the page's style names the id too: look for the table
# seconds per stage for each of 10 segments a second: ingest+transcoding runs over budget
STAGE_S = {
    "stage_ingest_transcoding": 0.150,
    "stage_edge": 0.030,
    "stage_origin_publish": 0.002,
    "stage_last_mile": 0.020,
}


def outcome(stamped: bool, glass: bool = False) -> RunOutcome:
    series = []
    for t in range(int(T0), int(T0) + 20):
        second = tm.Second(t)
        second.count(tm.REQUESTS, 10)
        for i in range(10 if stamped else 0):
            jitter = i * 0.001
            for name, seconds in STAGE_S.items():
                second.observe(name, seconds + jitter)
            budgeted = ("stage_ingest_transcoding", "stage_edge", "stage_last_mile")
            second.observe("stage_total", sum(STAGE_S[n] + jitter for n in budgeted))
        if glass:
            second.observe(tm.GLASS_TO_GLASS, 0.25)
            second.observe(tm.PDT_ERROR, 0.01)
            second.count(tm.TIMECODES_READ)
        series.append(second)
    return RunOutcome("completed", T0, T0 + 20, series, [], TargetDescription(origin="http://o"))


def build(run: RunOutcome) -> dict[str, object]:
    verdict = evaluate(run.series, Slos(viewer_error_rate=0.1), run.started, run.ended, [])
    report = reports.build("budget", "game.yaml", run, verdict, [])
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text()))
    return report


def test_each_stage_beside_its_budget_in_report_json_and_summary() -> None:
    report = build(outcome(stamped=True))
    section = report["latency_budget"]
    assert isinstance(section, dict)
    rows = {row["name"]: row for row in section["stages"]}
    assert list(rows) == ["ingest_transcoding", "edge", "last_mile", "origin_publish"]
    ingest = rows["ingest_transcoding"]
    assert ingest["budget_ms"] == 110.0 and ingest["samples"] == 200
    assert abs(ingest["p50_ms"] - 154) <= 1 and abs(ingest["p95_ms"] - 159) <= 1
    assert rows["origin_publish"]["budget_ms"] is None  # a detail of edge
    shares = [rows[n]["share"] for n in ("ingest_transcoding", "edge", "last_mile")]
    assert abs(sum(shares) - 1.0) < 0.002 and shares[0] > 0.7
    budgeted = sum(rows[n]["mean_ms"] for n in ("ingest_transcoding", "edge", "last_mile"))
    assert abs(section["total"]["mean_ms"] - budgeted) < 0.5  # means add up
    text = "\n".join(reports.summary(report))
    assert re.search(r"stage  ingest_transcoding +p50 15\d\.\d ms.*budget 110 ms", text)
    assert "captured → viewer" in text and "(budget 200 ms; 200 segments)" in text


def test_html_has_a_bar_per_stage_and_marks_the_one_over_budget() -> None:
    page = render(build(outcome(stamped=True)), "html")
    assert PANEL in page
    stages = re.findall(r'<tr class="stage" id="stage-([a-z_]+)">', page)
    assert stages == [
        "ingest_transcoding",
        "edge",
        "last_mile",
        "origin_publish",
        "total",
    ]
    assert page.count('class="bar measured over"') == 1  # ingest+transcoding, 150+ > 110 ms
    assert page.count('class="bar budget"') == 3  # the detail has no budget bar
    assert page.count('class="bar measured"') == 3


def test_prometheus_has_a_gauge_per_stage_and_quantile() -> None:
    text = render(build(outcome(stamped=True)), "prometheus")
    found = {
        (s.name, s.labels.get("stage"), s.labels.get("quantile")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if family.name.startswith("livefire_stage")
    }
    assert found[("livefire_stage_budget_seconds", "edge", None)] == 0.04
    assert abs(found[("livefire_stage_latency_seconds", "edge", "0.5")] - 0.034) < 0.002
    assert ("livefire_stage_latency_seconds", "total", "0.95") in found
    assert abs(found[("livefire_stage_latency_mean_seconds", "last_mile", None)] - 0.0245) < 1e-3


def test_no_stamps_no_section_no_panel_no_gauges() -> None:
    report = build(outcome(stamped=False))
    assert report["latency_budget"] is None
    assert not [line for line in reports.summary(report) if "stage" in line]
    assert PANEL not in render(report, "html")
    assert "livefire_stage" not in render(report, "prometheus")


def test_a_report_written_before_the_section_existed_still_renders() -> None:
    old = conftest.sample_report()
    assert "latency_budget" not in old
    page = render(old, "html")
    assert "<h2>Verdict</h2>" in page and PANEL not in page
    assert "livefire_stage" not in render(old, "prometheus")


def test_glass_to_glass_panel_when_seconds_have_decoded_samples() -> None:
    report = build(outcome(stamped=False, glass=True))
    row = report["timeline"][0]  # type: ignore[index]
    assert abs(row["glass_p50_ms"] - 250) < 1 and abs(row["pdt_error_p95_ms"] - 10) < 0.1
    assert '<div id="plot-glass"' in render(report, "html")
    plain = build(outcome(stamped=True))
    assert "glass_p50_ms" not in plain["timeline"][0]  # type: ignore[index]
    assert '<div id="plot-glass"' not in render(plain, "html")


def test_only_disordered_stamps_are_said_in_the_summary_and_drawn_nowhere() -> None:
    run = outcome(stamped=False)
    run.series[3].count(tm.STAGE_STAMPS_DISORDERED, 4)
    report = build(run)
    assert report["latency_budget"] == {
        "header": "X-Stage-Times",
        "stages": [],
        "total": None,
        "disordered": 4,
    }
    assert "4 segment(s) with stamps running backwards" in "\n".join(reports.summary(report))
    assert PANEL not in render(report, "html")
