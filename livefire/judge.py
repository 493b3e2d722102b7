"""From a finished run to its verdict and report: the pure steps after the conductor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chaos.catalog import FAULTS
from livefire import report as reports
from livefire.journal_windows import fault_windows
from livefire.outcome import RunOutcome
from livefire.scenario.schema import Scenario
from livefire.timeline import plan
from livefire.verdict.cost import price
from livefire.verdict.engine import Verdict, evaluate, seconds_between, with_effects
from livefire.verdict.probe_checks import with_probes
from livefire.verdict.probes import ProbeReadings
from livefire.verdict.reconcile import reconcile

STOP_MARGIN_S = 2.0  # the last seconds, while Locust stops users, are not judged
EXIT_CODES = {"pass": 0, "fail": 1, "inconclusive": 4, "aborted": 3}


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    report: dict[str, Any]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.report["result"]]


def judge(scenario: Scenario, source: str, outcome: RunOutcome) -> Judgement:
    judged_until = min(outcome.ended, outcome.started + scenario.duration) - STOP_MARGIN_S
    self_healing = frozenset(n for n in FAULTS if FAULTS.get(n).self_healing)
    windows = with_effects(
        fault_windows(outcome.journal, judged_until, self_healing), scenario.slos, judged_until
    )
    reconciliation = None
    if outcome.ledger is not None and scenario.slos.gifts is not None:
        reconciliation = reconcile(outcome.records, outcome.ledger, scenario.slos.gifts.deadline)
    verdict = evaluate(
        outcome.series,
        scenario.slos,
        outcome.started,
        judged_until,
        windows,
        reconciliation,
        outcome.clocks,
        outcome.measured_by,
    )
    readings = probe_readings(scenario, outcome)
    if scenario.probes:
        verdict = with_probes(
            verdict, scenario.slos, windows, outcome.started, judged_until, readings
        )
    overrides = {p.fault_id: scenario.faults[p.index].severity for p in plan(scenario)}
    run = seconds_between(outcome.series, outcome.started, judged_until)
    cost = price(
        run, scenario.slos, windows, verdict.recoveries, scenario.cost, overrides, judged_until
    )
    report = reports.build(
        scenario.name,
        source,
        outcome,
        verdict,
        windows,
        reconciliation,
        probe_info(scenario),
        cost,
    )
    report["compare"] = scenario.compare.to_json()  # what `livefire compare` judges it by
    return Judgement(verdict, report)


def probe_readings(scenario: Scenario, outcome: RunOutcome) -> ProbeReadings:
    """What the verdict needs of the scenario's probes and of what they read."""
    return ProbeReadings(
        tuple(outcome.probe_samples),
        {name: spec.every for name, spec in scenario.probes.items()},
        {name: spec.shown_as for name, spec in scenario.probes.items()},
        scenario.steady_state,
    )


def probe_info(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Each probe as the report describes it: kind, what it reads, interval, unit (never a
    header: those may hold secrets)."""
    out: dict[str, dict[str, Any]] = {}
    for name, spec in scenario.probes.items():
        if spec.prometheus is not None:
            what = f"{spec.prometheus.query} @ {spec.prometheus.url}"
        elif spec.http is not None:
            path = f" {spec.http.json_path}" if spec.http.json_path else " (latency)"
            what = f"{spec.http.method} {spec.http.url}{path}"
        else:
            assert spec.command is not None
            what = " ".join(spec.command.argv) + f" ({spec.command.value})"
        out[name] = {"kind": spec.kind, "reads": what, "every_s": spec.every, "unit": spec.shown_as}
    return out
