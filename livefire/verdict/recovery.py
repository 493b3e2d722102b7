"""Recovery time: from a fault's injection (self-healing faults) or revert (sustained ones)
until the SLI is back inside its SLO and stays there for `stable_for`.

Pure functions over per-second SLI values; a second with no data is never "inside", so a
black-holed region cannot look recovered because it stopped reporting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from livefire.base.telemetry import Second
from livefire.verdict.slis import Sli

PerSecond = dict[int, float | None]


def per_second(sli: Sli, series: Sequence[Second]) -> PerSecond:
    return {second.t: sli.measure([second]) for second in series}


def recovery_time(
    values: PerSecond,
    inside: Callable[[float], bool],
    since: float,
    until: float,
    stable_for: float,
) -> float | None:
    """Seconds from `since` to the start of the first run of `stable_for` seconds inside the
    SLO that ends before `until`; None if it never recovered. Resolution: one second."""
    streak_start: int | None = None
    for t in range(math.floor(since), math.ceil(until)):
        value = values.get(t)
        if value is not None and inside(value):
            streak_start = t if streak_start is None else streak_start
            if t + 1 - streak_start >= stable_for:
                return max(0.0, streak_start - since)
        else:
            streak_start = None
    return None
