"""Incident cost: what each fault's impact in a run would have cost in production.

A fault's impact is read from what the verdict judges: the seconds from its first excursion
outside a promise to its recovery (each per-second SLO of the run, timed the way
`verdict.recovery` times recoveries, their union), and the share of users affected in those
seconds — the worst of the viewers stalled, each broken ratio promise's failed share (chat
messages late, gifts failed, connections refused) and each broken duration promise's share of
samples over it (segments later than the latency promise, startups slower). The run's
audience stands for the production one: a share of the run's viewers is the same share of
production's.

The severity tables' figures are per hour of a platform-wide incident, so

    cost = $ per hour × hours in breach × share of users affected

It is information, never a promise: nothing here changes a verdict. Pure functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from livefire.base import telemetry as tm
from livefire.base.telemetry import Second
from livefire.scenario.cost import CostSpec
from livefire.scenario.slos import SLI_FIELDS, Slos
from livefire.verdict.engine import FaultWindow, Recovery
from livefire.verdict.recovery import PerSecond, recovery, window_for, windowed
from livefire.verdict.slis import SLIS, Sli

ASSUMPTION = (
    "per-hour figures are platform-wide: cost = $/hour × hours in breach × share of users "
    "affected, the run's share of viewers standing for the same share of {audience} viewers"
)


@dataclass(frozen=True)
class FaultCost:
    fault_id: str
    fault: str
    target: str
    severity: str  # a name of the severity table, e.g. P1
    basis: str  # why that severity: "default for transcoder-node-kill", "set on the fault"
    hourly: float  # $ per hour of a platform-wide incident at that severity
    breach_s: int  # seconds outside a promise, from the fault's first excursion to recovery
    share: float  # mean share of users affected over those seconds (0 when none)
    recovery_s: float | None  # the slowest timed recovery; None: never, not timed, or no effect
    recovered: bool | None  # None: no recovery budget, so not timed
    cost: float  # $: hourly × breach_s / 3600 × share

    def affected(self, audience: int) -> int:
        """Production viewers the share stands for."""
        return round(self.share * audience)


@dataclass(frozen=True)
class Cost:
    faults: tuple[FaultCost, ...]
    audience: int  # the production audience the run stands for
    severities: Mapping[str, float]  # the table priced from
    run_viewers: int  # the run's peak viewers watching

    @property
    def total(self) -> float:
        return sum(f.cost for f in self.faults)

    @property
    def assumption(self) -> str:
        return ASSUMPTION.format(audience=f"{self.audience:,}")


def price(
    run: Sequence[Second],
    slos: Slos,
    windows: Sequence[FaultWindow],
    found: Sequence[Recovery],
    spec: CostSpec,
    overrides: Mapping[str, str | None],
    run_end: float,
) -> Cost:
    """Each fault's impact priced. `overrides`: fault id → the severity set on the fault."""
    judged = [SLIS.get(n) for n in SLI_FIELDS if getattr(slos, n) is not None]
    slis = [s for s in judged if s.per_second]
    widths = {s.name: window_for(s, run) for s in slis}
    values = {s.name: (widths[s.name], windowed(s, run, widths[s.name])) for s in slis}
    by_t = {second.t: second for second in run}
    out = []
    for w in windows:
        breach = _breach(w, slos, slis, values, run_end)
        shares = [_share(t, breach[t], slos, values, by_t) for t in sorted(breach)]
        share = sum(shares) / len(shares) if shares else 0.0
        severity, basis = spec.severity_of(w.fault, w.target, overrides.get(w.fault_id))
        hourly = spec.severities.get(severity, 0.0)  # the loader refuses a missing one
        seconds, recovered = _recovery(w.fault_id, found)
        out.append(
            FaultCost(
                w.fault_id,
                w.fault,
                w.target,
                severity,
                basis,
                hourly,
                len(breach),
                share,
                seconds,
                recovered,
                hourly * len(breach) / 3600 * share,
            )
        )
    watching = [s.counters.get(tm.VIEWERS_WATCHING, 0) for s in run]
    return Cost(tuple(out), spec.audience, dict(spec.severities), max(watching, default=0))


def _breach(
    w: FaultWindow,
    slos: Slos,
    slis: Sequence[Sli],
    values: Mapping[str, tuple[int, PerSecond]],
    run_end: float,
) -> dict[int, list[Sli]]:
    """Each second in breach after this fault → the SLIs outside their promise in it."""
    budget = slos.recovery.get(w.fault, slos.stable_for)
    horizon = w.recovery_horizon(budget, slos.stable_for)
    out: dict[int, list[Sli]] = {}
    for sli in slis:
        width, series = values[sli.name]
        inside = partial(_holds, sli, getattr(slos, sli.name))
        span = (w.start, w.recovery_from, run_end, slos.stable_for, horizon, width)
        found = recovery(series, inside, *span)
        if found.effect_from is None:
            continue
        to = math.ceil(run_end) if found.effect_to is None else found.effect_to
        for t in range(found.effect_from, to):
            out.setdefault(t, []).append(sli)
    return out


def _share(
    t: int,
    slis: Sequence[Sli],
    slos: Slos,
    values: Mapping[str, tuple[int, PerSecond]],
    by_t: Mapping[int, Second],
) -> float:
    """The share of users affected in one second in breach: the viewers stalled, a broken
    ratio promise's failed share, or a broken duration promise's share of samples over it
    (segments that arrived later than the latency promise), whichever is worse."""
    shares = []
    second = by_t.get(t)
    watching = 0 if second is None else second.counters.get(tm.VIEWERS_WATCHING, 0)
    if second is not None and watching:
        shares.append(second.counters.get(tm.VIEWERS_STALLED, 0) / watching)
    for sli in slis:
        threshold = getattr(slos, sli.name)
        value = values[sli.name][1].get(t)
        if value is None or _holds(sli, threshold, value):
            continue
        if sli.unit == "ratio":
            shares.append(1 - value if sli.higher_is_better else value)
        elif sli.over is not None and second is not None:  # the samples over the promise
            share = sli.over([second], threshold)
            shares.append(0.0 if share is None else share)
    return min(1.0, max(shares, default=0.0))


def _recovery(fault_id: str, found: Sequence[Recovery]) -> tuple[float | None, bool | None]:
    rows = [r for r in found if r.fault_id == fault_id and r.injected and r.visible]
    timed = [r for r in found if r.fault_id == fault_id and r.injected]
    if not timed:
        return None, None
    if any(r.seconds is None for r in rows):
        return None, False
    return max((r.seconds for r in rows if r.seconds is not None), default=None), True


def _holds(sli: Sli, threshold: float, value: float) -> bool:
    return sli.holds(value, threshold)
