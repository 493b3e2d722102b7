"""Recovery time: from a fault's reference instant — its injection (self-healing faults) or
its revert (sustained ones) — to the end of the last excursion outside the SLO that the fault
caused, once the SLI then stays inside for `stable_for`.

The fault's effect is the first excursion that begins at or after its injection (and no later
than `horizon`): a kill whose effect reaches viewers only after their player buffers drain is
not "recovered in 0 s" because the SLI held for the seconds before. A fault with no excursion
at all had no visible effect, which is reported as such, not as a 0 s recovery.

Sparse SLIs (a few gifts or startups a second) are judged over a sliding window sized to hold
enough samples: a window's value is its seconds measured together, and a window with no data
is never inside, so a black-holed region cannot look recovered because it stopped reporting.
Pure functions over per-second telemetry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from livefire.base.telemetry import Second
from livefire.verdict.slis import Sli

PerSecond = dict[int, float | None]  # window ending at second t → the SLI over that window
MAX_WINDOW_S = 30  # the widest window judged: beyond it a recovery cannot be timed usefully


@dataclass(frozen=True)
class Found:
    """What one SLI did after one fault, seconds from the reference instant."""

    seconds: float | None  # recovery time; None: never recovered (or no visible effect)
    effect_from: int | None = None  # first second of the fault's first excursion
    effect_to: int | None = None  # end (exclusive) of its last excursion
    visible: bool = True  # False: the SLI never left its SLO while the fault could act

    @property
    def recovered(self) -> bool:
        return self.seconds is not None or not self.visible


def window_for(sli: Sli, series: Sequence[Second]) -> int:
    """Seconds per window so one holds `sli.min_samples` at the run's average rate."""
    if sli.samples is None or not series:
        return 1
    rate = sli.samples(series) / len(series)
    if rate <= 0:
        return MAX_WINDOW_S
    return max(1, min(MAX_WINDOW_S, math.ceil(sli.min_samples / rate)))


def windowed(sli: Sli, series: Sequence[Second], window: int = 1) -> PerSecond:
    """The SLI over each window of `window` seconds, keyed by the window's last second."""
    by_t = {second.t: second for second in series}
    out: PerSecond = {}
    for t in by_t:
        seconds = [by_t[u] for u in range(t - window + 1, t + 1) if u in by_t]
        out[t] = sli.measure(seconds)
    return out


def per_second(sli: Sli, series: Sequence[Second]) -> PerSecond:
    return windowed(sli, series, 1)


def recovery(
    values: PerSecond,
    inside: Callable[[float], bool],
    injected: float,
    since: float,
    until: float,
    stable_for: float,
    horizon: float,
    window: int = 1,
) -> Found:
    """Judge one SLI after one fault. `values` are windowed (see `windowed`); the recovery
    instant is the start of the first window of the stable streak that follows the effect."""

    def ok(t: int) -> bool:
        value = values.get(t)
        return value is not None and inside(value)

    end = math.ceil(until)
    onset = next((t for t in range(math.floor(injected), end) if not ok(t)), None)
    if onset is None or onset >= horizon:
        return Found(None, visible=False)
    effect_from = onset  # the second whose arrival in the window turned it outside
    streak: int | None = None
    for t in range(onset, end):
        if not ok(t):
            streak = None
            continue
        streak = t if streak is None else streak
        if t + 1 - streak >= stable_for:
            back_at = max(effect_from, streak - window + 1)  # the streak's first window starts
            return Found(max(0.0, back_at - since), effect_from, back_at)
    return Found(None, effect_from, None)
