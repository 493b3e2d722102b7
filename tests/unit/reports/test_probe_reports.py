"""Probes in every report format: checks and recoveries beside the users' SLIs, the readings
in report.json (valid against the published schema), a probe plot with the fault windows."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from chaos.journal import INJECTED, REVERTED, Entry
from livefire import report as reports
from livefire.base import telemetry as tm
from livefire.base.probe_samples import STEADY_STATE, ProbeSample
from livefire.judge import judge
from livefire.outcome import RunOutcome
from livefire.reports import SCHEMA_FILE, render
from livefire.scenario import load_scenario

T0 = 1_000.0
SCENARIO = """
name: probed-report
duration: 40s
target: {embedded: {}}
load: {users: {viewer: 1}}
faults: [{at: 10s, fault: edge-latency, target: edge-apac, for: 10s}]
probes:
  errors: {command: {argv: [echo, "0"], value: stdout}, every: 2s}
steady_state: [{probe: errors, max: 1}]
slos:
  stream_latency_p95: 1s
  probes: [{probe: errors, max: 1}]
  during_faults: {probes: [{probe: errors, max: 1}]}
  recovery: {edge-latency: 15s}
"""


def outcome() -> RunOutcome:
    series = []
    for t in range(int(T0), int(T0) + 40):
        second = tm.Second(t)
        second.observe(tm.STREAM_LATENCY, 0.05)
        second.count(tm.HEARTBEAT)
        series.append(second)
    journal = [
        Entry("f0", INJECTED, T0 + 10, "edge-latency", "edge-apac"),
        Entry("f0", REVERTED, T0 + 20, "edge-latency", "edge-apac"),
    ]
    samples = [ProbeSample("errors", T0 + 9.5, 0.0, tag=STEADY_STATE)]
    for t in range(0, 40, 2):
        bad = 12 <= t < 26
        value = None if t == 14 else (7.0 if bad else 0.0)
        samples.append(ProbeSample("errors", T0 + t, value, "unreachable" if t == 14 else ""))
    return RunOutcome("completed", T0, T0 + 40, series, journal, probe_samples=samples)


def test_probe_checks_reach_every_format(tmp_path: Path) -> None:
    path = tmp_path / "probed.yaml"
    path.write_text(SCENARIO)
    scenario = load_scenario(path).scenario
    report = judge(scenario, str(path), outcome()).report
    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text()))
    rows = {(c["promise"], c["phase"]): c for c in report["checks"]}
    assert rows[("probe:errors", "steady_state:before")]["passed"]
    assert rows[("probe:errors", "steady_state:after")]["passed"]
    assert not rows[("probe:errors", "overall")]["passed"]
    during = rows[("probe:errors", "during_faults")]
    assert not during["passed"] and during["found"].startswith("no data in 1 of")
    assert during["unit"] == "number"
    recovery = rows[("recovery:edge-latency", "f0:probe:errors")]
    assert recovery["passed"], recovery  # back at 26 s, 6 s after the revert, budget 15 s
    assert report["result"] == "fail"
    readings = report["probes"]["errors"]["samples"]
    assert readings[0] == {"t_s": 9.5, "value": 0.0, "error": "", "tag": "steady_state"}
    assert report["probes"]["errors"]["reads"] == "echo 0 (stdout)"

    summary = "\n".join(reports.summary(report))
    assert "FAIL  probe:errors [during_faults]" in summary
    assert "PASS  probe:errors [steady_state:before]" in summary
    junit = render(report, "junit")
    assert 'name="probe:errors[during_faults]"' in junit
    metrics = render(report, "prometheus")
    assert 'livefire_check_passed{phase="during_faults",promise="probe:errors"' in metrics
    assert (
        'livefire_recovery_seconds{fault_id="f0",scenario="probed-report",sli="probe:errors"}'
        in metrics
    )
    page = render(report, "html")
    assert 'id="plot-probe-errors"' in page
    assert "Probe errors: echo 0 (stdout)" in page
    assert "edge-latency on edge-apac" in page.split('id="plot-probe-errors"')[1][:20000]
