"""The verdict engine: a pure function of telemetry, the fault journal and the SLOs.

No data is never a pass: an SLO whose SLI measured nothing in its window fails, saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chaos.journal import INJECTED, INJECTING, REVERTED, Entry
from livefire.scenario.schema import PhaseSlos, Slos
from livefire.slis import SLIS, format_value
from livefire.telemetry import Second


@dataclass(frozen=True)
class FaultWindow:
    fault_id: str
    fault: str
    target: str
    start: float  # epoch of injection
    end: float  # epoch of revert (the run's end if never reverted)


@dataclass(frozen=True)
class Check:
    promise: str  # the SLO's name, e.g. stream_latency_p95
    phase: str  # overall | during_faults
    threshold: float
    measured: float | None
    passed: bool
    expected: str  # human form, e.g. "<= 250 ms"
    found: str  # human form, e.g. "312 ms" or "no data"
    documented: str = ""


@dataclass(frozen=True)
class Verdict:
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def broken(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)


def fault_windows(journal: Sequence[Entry], run_end: float) -> list[FaultWindow]:
    """When each fault was actually in effect, from the journal (not from the plan)."""
    windows: dict[str, FaultWindow] = {}
    for entry in journal:
        if entry.event in (INJECTING, INJECTED) and entry.fault_id not in windows:
            windows[entry.fault_id] = FaultWindow(
                entry.fault_id, entry.fault, entry.target, entry.t, run_end
            )
        elif entry.event == REVERTED and entry.fault_id in windows:
            w = windows[entry.fault_id]
            if w.end == run_end:
                windows[entry.fault_id] = FaultWindow(
                    w.fault_id, w.fault, w.target, w.start, entry.t
                )
    return list(windows.values())


def seconds_between(series: Sequence[Second], start: float, end: float) -> list[Second]:
    """Seconds [t, t+1) that overlap [start, end)."""
    return [s for s in series if s.t + 1 > start and s.t < end]


def during(series: Sequence[Second], windows: Sequence[FaultWindow]) -> list[Second]:
    return [s for s in series if any(s.t + 1 > w.start and s.t < w.end for w in windows)]


def check_phase(phase: str, slos: PhaseSlos, seconds: Sequence[Second]) -> list[Check]:
    checks = []
    for name in PhaseSlos.model_fields:
        threshold = getattr(slos, name)
        if threshold is None:
            continue
        sli = SLIS.get(name)
        measured = sli.measure(seconds)
        passed = measured is not None and sli.holds(measured, threshold)
        sign = ">=" if sli.higher_is_better else "<="
        checks.append(
            Check(
                name,
                phase,
                threshold,
                measured,
                passed,
                f"{sign} {format_value(sli, threshold)}",
                format_value(sli, measured),
                sli.documented,
            )
        )
    return checks


def evaluate(
    series: Sequence[Second],
    slos: Slos,
    run_start: float,
    run_end: float,
    windows: Sequence[FaultWindow],
) -> Verdict:
    run = seconds_between(series, run_start, run_end)
    checks = check_phase("overall", slos, run)
    if slos.during_faults is not None:
        checks += check_phase("during_faults", slos.during_faults, during(run, windows))
    return Verdict(tuple(checks))
