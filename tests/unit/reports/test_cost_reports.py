"""Incident cost in every report: the summary, report.json (valid against the published
schema), report.html and metrics.prom carry each priced fault and the total, and the cost never
changes the verdict."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from chaos.journal import INJECTED, REVERTED, Entry
from livefire import report as reports
from livefire.base import telemetry as tm
from livefire.judge import judge
from livefire.outcome import RunOutcome
from livefire.reports import SCHEMA_FILE, render
from livefire.scenario import load_scenario

T0 = 1_000.0
SCENARIO = """
name: priced
duration: 60s
target: {embedded: {}}
load: {users: {viewer: 100}}
faults: [{at: 10s, fault: cdn-region-blackhole, target: edge-eu, for: 30s}]
slos:
  viewers_playing: 99%
  recovery: {cdn-region-blackhole: 45s}
"""


def outcome(faulted: bool = True) -> RunOutcome:
    """100 viewers, 25 of them stalled while edge-eu is black-holed (t=10 s to 40 s)."""
    series = []
    for t in range(int(T0), int(T0) + 60):
        second = tm.Second(t)
        second.count(tm.VIEWERS_WATCHING, 100)
        second.count(tm.VIEWERS_STALLED, 25 if 10 <= t - T0 < 40 else 0)
        second.count(tm.HEARTBEAT)
        series.append(second)
    journal = [
        Entry("f0", INJECTED, T0 + 10, "cdn-region-blackhole", "edge-eu"),
        Entry("f0", REVERTED, T0 + 40, "cdn-region-blackhole", "edge-eu"),
    ]
    return RunOutcome("completed", T0, T0 + 60, series, journal if faulted else [])


def judged(tmp_path: Path, text: str = SCENARIO) -> dict:  # type: ignore[type-arg]
    path = tmp_path / "priced.yaml"
    path.write_text(text)
    faulted = "faults:" in text
    return judge(load_scenario(path).scenario, str(path), outcome(faulted)).report


def test_cost_reaches_every_format(tmp_path: Path) -> None:
    report = judged(tmp_path)
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text()))
    cost = report["cost"]
    [fault] = cost["faults"]
    assert (fault["severity"], fault["breach_s"], fault["share"]) == ("P2", 30, 0.25)
    assert fault["cost_usd"] == 875.0 and cost["total_usd"] == 875.0
    assert fault["affected_viewers"] == 12_500_000 and cost["audience"] == 50_000_000
    summary = "\n".join(reports.summary(report))
    assert (
        "  cost   f0 cdn-region-blackhole on edge-eu: P2 $420,000/h × 30 s in breach × 25.0% "
        "of users (≈12,500,000 of 50,000,000 viewers) = $875" in summary
    )
    assert "  cost   total $875: per-hour figures are platform-wide" in summary
    html = render(report, "html")
    assert '<table id="cost">' in html and "$875" in html and "platform-wide" in html
    prom = render(report, "prometheus")
    assert (
        'livefire_fault_cost_usd{fault="cdn-region-blackhole",fault_id="f0",'
        'scenario="priced",severity="P2"} 875.0' in prom
    )
    assert 'livefire_run_cost_usd{scenario="priced"} 875.0' in prom
    assert 'livefire_fault_breach_seconds{fault="cdn-region-blackhole"' in prom


def test_the_cost_never_changes_the_verdict(tmp_path: Path) -> None:
    cheap = judged(tmp_path, SCENARIO + "cost: {severities: {P2: 0}}\n")
    dear = judged(tmp_path, SCENARIO.replace("for: 30s}", "for: 30s, severity: P0}"))
    assert cheap["cost"]["total_usd"] == 0 and dear["cost"]["total_usd"] > 875
    assert cheap["result"] == dear["result"] and cheap["checks"] == dear["checks"]


def test_a_run_without_faults_prices_nothing(tmp_path: Path) -> None:
    report = judged(
        tmp_path,
        SCENARIO.replace(
            "faults: [{at: 10s, fault: cdn-region-blackhole, target: edge-eu, for: 30s}]\n", ""
        ).replace("  recovery: {cdn-region-blackhole: 45s}\n", ""),
    )
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text()))
    assert report["cost"]["faults"] == [] and report["cost"]["total_usd"] == 0
    assert not any(line.startswith("  cost") for line in reports.summary(report))
    assert 'id="cost"' not in render(report, "html")
    assert 'livefire_run_cost_usd{scenario="priced"} 0.0' in render(report, "prometheus")


def test_a_report_from_before_the_cost_still_renders(sample: dict) -> None:  # type: ignore[type-arg]
    report = dict(sample)
    report.pop("cost", None)
    assert "livefire_fault_cost_usd" not in render(report, "prometheus")
    assert 'id="cost"' not in render(report, "html")
    assert not any(line.startswith("  cost") for line in reports.summary(report))
