"""Probe checks and recoveries added to a verdict: `with_probes` turns a scenario's probe
conditions (in `slos.probes`, each phase's `probes`, and `steady_state`) into the same `Check`
and `Recovery` rows the users' SLIs produce, so every report format shows them alike.

No doubt about the load generator voids them: probes are read by the conductor, not by the
workers whose lateness or gaps the doubts are about.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from livefire.base import probe_samples as ps
from livefire.scenario.probes import ProbeCondition
from livefire.scenario.slos import PhaseSlos, Slos
from livefire.verdict.engine import Check, FaultWindow, Recovery, Verdict, recovery_checks
from livefire.verdict.probes import (
    PREFIX,
    Outcome,
    ProbeReadings,
    after_outcomes,
    expected,
    judge,
    steady_state_outcomes,
    time_recovery,
)

NO_SLO = "no SLO judged second by second to time it by"


def with_probes(
    verdict: Verdict,
    slos: Slos,
    windows: Sequence[FaultWindow],
    run_start: float,
    run_end: float,
    readings: ProbeReadings,
) -> Verdict:
    """`verdict` with every probe check and recovery added."""
    checks = _phase_checks(slos, windows, run_start, run_end, readings)
    checks += _steady_state_checks(windows, readings)
    rows = _recoveries(slos, windows, run_start, run_end, readings)
    timed = {r.fault_id for r in rows}
    kept = [c for c in verdict.checks if not (c.found == NO_SLO and c.phase[:-1] in timed)]
    checks += recovery_checks(rows, slos, [])
    return replace(
        verdict,
        checks=(*kept, *checks),
        recoveries=(*verdict.recoveries, *rows),
    )


def _check(
    condition: ProbeCondition, phase: str, outcome: Outcome, readings: ProbeReadings
) -> Check:
    unit = readings.units.get(condition.probe, "number")
    bound = condition.max if condition.max is not None else condition.min
    return Check(
        PREFIX + condition.probe,
        phase,
        float(bound if bound is not None else 0.0),
        outcome.measured,
        outcome.passed,
        expected(condition, unit),
        outcome.found,
        sli=PREFIX + condition.probe,
        unit=unit,
    )


def _over(
    promises: PhaseSlos | None,
    phase: str,
    start: float,
    end: float,
    readings: ProbeReadings,
    spans: Sequence[tuple[float, float]] | None = None,
) -> list[Check]:
    if promises is None:
        return []
    out = []
    for condition in promises.probes:
        mine = ps.of(readings.samples, condition.probe)
        inside = (
            [r for r in mine if any(a <= r.t < b for a, b in spans)]
            if spans is not None
            else ps.between(mine, start, end)
        )
        unit = readings.units.get(condition.probe, "number")
        out.append(_check(condition, phase, judge(condition, inside, unit), readings))
    return out


def _phase_checks(
    slos: Slos,
    windows: Sequence[FaultWindow],
    run_start: float,
    run_end: float,
    readings: ProbeReadings,
) -> list[Check]:
    checks = _over(slos, "overall", run_start, run_end, readings)
    first = min((w.start for w in windows), default=run_end)
    last = max((w.judged_end for w in windows), default=None)
    checks += _over(slos.before_faults, "before_faults", run_start, first, readings)
    spans = [(w.start, w.judged_end) for w in windows]
    checks += _over(slos.during_faults, "during_faults", 0, 0, readings, spans)
    if last is not None:
        checks += _over(slos.after_faults, "after_faults", last, run_end, readings)
    else:
        checks += _over(slos.after_faults, "after_faults", run_end, run_end, readings)
    if len(windows) > 1:
        for w in windows:
            phase = f"during:{w.fault_id}"
            checks += _over(slos.during_faults, phase, 0, 0, readings, [(w.start, w.judged_end)])
    return checks


def _steady_state_checks(windows: Sequence[FaultWindow], readings: ProbeReadings) -> list[Check]:
    checks = [
        _check(condition, "steady_state:before", outcome, readings)
        for condition, outcome in steady_state_outcomes(readings)
    ]
    if windows:  # without a fault, "after the last fault" is the same hypothesis again
        reverted = max(w.end for w in windows)
        checks += [
            _check(condition, "steady_state:after", outcome, readings)
            for condition, outcome in after_outcomes(readings, reverted, math.inf)
        ]
    return checks


def _recoveries(
    slos: Slos,
    windows: Sequence[FaultWindow],
    run_start: float,
    run_end: float,
    readings: ProbeReadings,
) -> list[Recovery]:
    rows = []
    for window in windows:
        budget = slos.recovery.get(window.fault)
        if budget is None:
            continue
        since = window.recovery_from
        horizon = window.recovery_horizon(budget, slos.stable_for)
        for condition in slos.probes:
            seconds, start, end, visible = time_recovery(
                readings,
                condition,
                window.start,
                since,
                run_start,
                run_end,
                slos.stable_for,
                horizon,
            )
            rows.append(
                Recovery(
                    window.fault_id,
                    window.fault,
                    PREFIX + condition.probe,
                    seconds,
                    budget,
                    since - run_start,
                    None if seconds is None else since + seconds - run_start,
                    visible=visible,
                    effect_from_s=None if start is None else start - run_start,
                    effect_to_s=None if end is None else end - run_start,
                )
            )
    return rows
