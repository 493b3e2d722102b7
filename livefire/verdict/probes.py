"""Probe verdicts: the platform's own signals judged beside the users' SLIs. Pure functions of
the samples the conductor took (`livefire.base.probe_samples`), no I/O.

A probe condition holds over a window when every reading taken in it is inside its bounds; the
figure shown is the worst reading. A reading without a value (unreachable, erroring, no series)
is no data, and no data never holds: a window without any reading fails too. Recovery is
timed on the per-second series (`probe_samples.per_second`), exactly as for a user SLI.

The steady-state hypothesis is checked twice: `before` on the readings the conductor took just
before the first fault (it aborted the run there if they failed), `after` on each probe's last
reading once the last fault was reverted. Guards (`breached`) trip once a probe has been
outside its bounds, or without data, for `for` seconds in a row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from livefire.base import probe_samples as ps
from livefire.base.probe_samples import ProbeSample
from livefire.scenario.probes import ProbeCondition, ProbeGuard
from livefire.verdict.recovery import recovery

PREFIX = "probe:"  # a probe's promise and SLI name: probe:NAME


@dataclass(frozen=True)
class ProbeReadings:
    """What the verdict needs of the probes: their readings, interval and display unit."""

    samples: tuple[ProbeSample, ...] = ()
    every: Mapping[str, float] = field(default_factory=dict)  # probe → sampling interval, s
    units: Mapping[str, str] = field(default_factory=dict)  # probe → number | s | ratio
    steady_state: tuple[ProbeCondition, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """One condition over some readings."""

    passed: bool
    measured: float | None  # the worst reading (None: no data)
    found: str  # human form: the worst reading, or why there is no data


def shown(value: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    if unit == "s":
        return f"{value * 1000:.4g} ms"
    if unit == "ratio":
        return f"{value * 100:.4g}%"
    return f"{value:.6g}"


def expected(condition: ProbeCondition, unit: str) -> str:
    low, high = condition.min, condition.max
    if low is not None and high is not None:
        return f"in [{shown(low, unit)}, {shown(high, unit)}]"
    return f"<= {shown(high, unit)}" if high is not None else f">= {shown(low, unit)}"


def judge(condition: ProbeCondition, readings: Sequence[ProbeSample], unit: str) -> Outcome:
    """Every reading inside the bounds, at least one reading, none without a value."""
    if not readings:
        return Outcome(False, None, "no data (no reading in this window)")
    missing = [r for r in readings if not r.ok]
    if missing:
        first = missing[0]
        return Outcome(False, None, f"no data in {len(missing)} of {len(readings)}: {first.error}")
    values = [float(r.value) for r in readings if r.value is not None]
    worst = _worst(condition, values)
    return Outcome(condition.holds(worst), worst, shown(worst, unit))


def _worst(condition: ProbeCondition, values: Sequence[float]) -> float:
    """The reading furthest past (or nearest to) a bound."""
    if condition.max is not None and condition.min is not None:
        high, low = max(values), min(values)
        return high if high - condition.max >= condition.min - low else low
    return max(values) if condition.max is not None else min(values)


def breached(
    guard: ProbeGuard, readings: Sequence[ProbeSample], now: float, unit: str = "number"
) -> str | None:
    """Why the guard trips: since the last reading that held, every reading failed (past the
    bounds, or no data) and the first of them is `for` seconds old. Never before a reading."""
    ordered = sorted((r for r in readings if r.probe == guard.probe), key=lambda r: r.t)
    streak: list[ProbeSample] = []
    for reading in ordered:
        streak = [] if guard.holds(reading.value) else [*streak, reading]
    if not streak or now - streak[0].t < guard.for_:
        return None
    last = streak[-1]
    what = f"measured {shown(last.value, unit)}" if last.ok else f"no data: {last.error}"
    return (
        f"guard probe {guard.probe} outside {expected(guard, unit)} for {now - streak[0].t:.0f} s "
        f"({len(streak)} reading(s); last {what})"
    )


def steady_state_outcomes(
    readings: ProbeReadings, tag: str = ps.STEADY_STATE
) -> list[tuple[ProbeCondition, Outcome]]:
    """The hypothesis on the readings tagged `tag` (the conductor's own check), latest each."""
    out = []
    for condition in readings.steady_state:
        tagged = [r for r in ps.of(readings.samples, condition.probe) if r.tag == tag]
        unit = readings.units.get(condition.probe, "number")
        if not tagged:
            out.append((condition, Outcome(False, None, "never checked (the run ended first)")))
        else:
            out.append((condition, judge(condition, tagged[-1:], unit)))
    return out


def after_outcomes(
    readings: ProbeReadings, reverted: float | None, until: float
) -> list[tuple[ProbeCondition, Outcome]]:
    """The hypothesis on each probe's last reading after the last revert (`reverted`)."""
    out = []
    for condition in readings.steady_state:
        unit = readings.units.get(condition.probe, "number")
        if reverted is None:
            out.append((condition, Outcome(False, None, "no fault was reverted")))
            continue
        after = ps.between(ps.of(readings.samples, condition.probe), reverted, until)
        out.append((condition, judge(condition, after[-1:], unit)))
    return out


def per_second_values(
    readings: ProbeReadings, probe: str, start: float, end: float
) -> dict[int, float | None]:
    every = readings.every.get(probe, 5.0)
    return ps.per_second(ps.of(readings.samples, probe), start, end, every)


def time_recovery(
    readings: ProbeReadings,
    condition: ProbeCondition,
    injected: float,
    since: float,
    run_start: float,
    run_end: float,
    stable_for: float,
    horizon: float,
) -> tuple[float | None, int | None, int | None, bool]:
    """(seconds, effect from, effect to, visible) of one probe after one fault."""
    values = per_second_values(readings, condition.probe, run_start, run_end)
    found = recovery(
        values,
        partial(_inside, condition),
        injected,
        since,
        run_end,
        stable_for,
        horizon,
    )
    return found.seconds, found.effect_from, found.effect_to, found.visible


def _inside(condition: ProbeCondition, value: float) -> bool:
    return condition.holds(value)
