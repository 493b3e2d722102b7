"""`livefire.report.build` and the JSON Schema stay in step: a report built from synthetic
telemetry of known truth satisfies the schema and renders in every format."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from chaos.journal import INJECTED, REVERTED, Entry
from livefire import report as reports
from livefire.base import telemetry as tm
from livefire.base.description import TargetDescription
from livefire.journal_windows import fault_windows
from livefire.outcome import RunOutcome
from livefire.reports import SCHEMA_FILE, write_all
from livefire.scenario.schema import PhaseSlos, Slos
from livefire.verdict.engine import evaluate

T0 = 1_000.0


def outcome() -> RunOutcome:
    series = []
    for t in range(int(T0), int(T0) + 30):
        second = tm.Second(t)
        for _ in range(20):
            second.observe(tm.STREAM_LATENCY, 0.4 if 10 <= t - T0 < 20 else 0.05)
        second.count(tm.REQUESTS, 10)
        series.append(second)
    journal = [
        Entry("f0", INJECTED, T0 + 10, "edge-latency", "edge-apac"),
        Entry("f0", REVERTED, T0 + 20, "edge-latency", "edge-apac"),
    ]
    return RunOutcome(
        "completed", T0, T0 + 30, series, journal, TargetDescription(origin="http://o")
    )


def test_built_report_satisfies_the_schema_and_renders(tmp_path: Path) -> None:
    run = outcome()
    windows = fault_windows(run.journal, run.ended)
    slos = Slos(stream_latency_p95=0.5, during_faults=PhaseSlos(stream_latency_p95=0.2))
    verdict = evaluate(run.series, slos, run.started, run.ended, windows)
    report = reports.build("synthetic", "game.yaml", run, verdict, windows)
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text()))
    assert [(c["promise"], c["phase"], c["passed"], c["unit"]) for c in report["checks"]] == [
        ("stream_latency_p95", "overall", True, "s"),
        ("stream_latency_p95", "during_faults", False, "s"),
    ]
    assert report["result"] == "fail"
    assert len(write_all(report, tmp_path)) == 4
    assert "FAIL  stream_latency_p95 [during_faults]" in "\n".join(reports.summary(report))


def test_timeline_carries_users_and_chat_delivery_and_both_plot(tmp_path: Path) -> None:
    from livefire.reports import plots

    run = outcome()
    for i, second in enumerate(run.series):
        second.count(tm.USERS, 2 * i)  # the sum of the workers' users gauges
        second.count(tm.CHAT_SENT + "live1", 10)
        second.count(tm.CHAT_MEMBERS + "live1", 2)
        second.count(tm.CHAT_RECEIVED_100MS, 20 if i % 2 else 15)
    verdict = evaluate(run.series, Slos(stream_latency_p95=0.5), run.started, run.ended, [])
    report = reports.build("synthetic", "game.yaml", run, verdict, [])
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text()))
    rows = report["timeline"]
    assert [r["users"] for r in rows[:3]] == [0, 2, 4]
    assert [r["chat_delivered_within_100ms"] for r in rows[:2]] == [0.75, 1.0]
    assert {"users", "chat"} <= {p.id for p in plots.present(report)}


def test_stream_latency_avg_is_an_slo_beside_its_production_figure() -> None:
    run = outcome()  # 10 s at 400 ms and 20 s at 50 ms: a mean of 166.7 ms
    verdict = evaluate(run.series, Slos(stream_latency_avg=0.185), run.started, run.ended, [])
    [check] = verdict.checks
    assert abs(check.measured - (10 * 0.4 + 20 * 0.05) / 30) < 0.001 and check.passed
    assert check.documented == "avg 185 ms in production" and check.found == "167 ms"


def test_a_skipped_torn_batch_is_reported_not_hidden() -> None:
    run = outcome()
    run.telemetry_warnings = ["RUN/telemetry/batches.jsonl:9: half-written last batch skipped"]
    verdict = evaluate(run.series, Slos(stream_latency_p95=0.5), run.started, run.ended, [])
    report = reports.build("synthetic", "game.yaml", run, verdict, [])
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text()))
    assert report["telemetry_warnings"] == run.telemetry_warnings
    assert "WARNING: telemetry: RUN/telemetry/batches.jsonl:9: half-written" in "\n".join(
        reports.summary(report)
    )
