"""The report's glass_to_glass section: percentiles read from the pixels, PDT's error against
the capture time, unreadable codes counted; it satisfies the schema, shows in the summary,
and a glass_to_glass_p95 SLO judges it (its negative control fails naming it)."""

from __future__ import annotations

import json

import jsonschema

from livefire import report as reports
from livefire.base import telemetry as tm
from livefire.base.description import TargetDescription
from livefire.outcome import RunOutcome
from livefire.reports import SCHEMA_FILE
from livefire.scenario.schema import Slos
from livefire.verdict.engine import evaluate

T0 = 1_000.0


def outcome(pdt_late_ms: int | None) -> RunOutcome:
    series = []
    for t in range(int(T0), int(T0) + 20):
        second = tm.Second(t)
        for i in range(5):
            second.observe(tm.GLASS_TO_GLASS, 0.300 + i * 0.01)  # 300..340 ms
            second.count(tm.TIMECODES_READ)
            if pdt_late_ms is not None:
                second.observe(tm.PDT_ERROR, pdt_late_ms / 1000)
                second.count(tm.PDT_ERROR_SIGNED_MS, pdt_late_ms)
        second.count(tm.TIMECODES_UNREADABLE, 1 if t % 10 == 0 else 0)
        series.append(second)
    return RunOutcome("completed", T0, T0 + 20, series, [], TargetDescription(origin="http://o"))


def build(run: RunOutcome, slos: Slos) -> dict[str, object]:
    verdict = evaluate(run.series, slos, run.started, run.ended, [])
    report = reports.build("g2g", "game.yaml", run, verdict, [])
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text()))
    return report


def test_glass_to_glass_and_pdt_error_are_reported_and_judged() -> None:
    report = build(outcome(pdt_late_ms=120), Slos(glass_to_glass_p95=0.5))
    section = report["glass_to_glass"]
    assert isinstance(section, dict)
    assert section["samples"] == 100 and section["timecodes_unreadable"] == 2
    assert abs(section["p50_ms"] - 320) < 1 and abs(section["p95_ms"] - 340) < 1
    assert section["pdt_error"]["mean_signed_ms"] == 120.0  # PDT stamped 120 ms late
    assert abs(section["pdt_error"]["max_ms"] - 120) < 1
    text = "\n".join(reports.summary(report))
    assert "PASS  glass_to_glass_p95 [overall]" in text
    assert "PDT − capture time: mean +120.0 ms" in text and "2 of 102 codes unreadable" in text


def test_the_negative_control_fails_naming_glass_to_glass_p95() -> None:
    report = build(outcome(pdt_late_ms=None), Slos(glass_to_glass_p95=0.2))
    assert report["result"] == "fail"
    assert report["glass_to_glass"]["pdt_error"] is None  # type: ignore[index]
    assert "FAIL  glass_to_glass_p95 [overall]" in "\n".join(reports.summary(report))


def test_no_decoded_sample_no_section() -> None:
    run = outcome(None)
    for second in run.series:
        second.histograms.clear()
        second.counters.clear()
        second.count(tm.REQUESTS, 10)
    assert build(run, Slos(viewer_error_rate=0.1))["glass_to_glass"] is None
