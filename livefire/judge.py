"""From a finished run to its verdict and report: the pure steps after the conductor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chaos.catalog import FAULTS
from livefire import report as reports
from livefire.journal_windows import fault_windows
from livefire.outcome import RunOutcome
from livefire.scenario.schema import Scenario
from livefire.verdict.engine import Verdict, evaluate, with_effects
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
    report = reports.build(scenario.name, source, outcome, verdict, windows, reconciliation)
    report["compare"] = scenario.compare.to_json()  # what `livefire compare` judges it by
    return Judgement(verdict, report)
