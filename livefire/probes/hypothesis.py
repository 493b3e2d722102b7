"""The steady-state hypothesis as the conductor checks it: fresh readings just before the
first fault (`before`: why the platform is not steady, or ""), and once more after every
fault was reverted (`after`). The verdict judges both again from the recorded readings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from livefire.base.probe_samples import AFTER, STEADY_STATE
from livefire.probes.sampler import Sampler
from livefire.scenario.probes import ProbeCondition, ProbeSpec
from livefire.verdict.probes import expected, judge


def before(
    sampler: Sampler, conditions: Sequence[ProbeCondition], probes: Mapping[str, ProbeSpec]
) -> str:
    """Read each probe the hypothesis names (once each, in order) and judge it: "" when it
    holds, else every failing probe with what it read and what was expected."""
    names = dict.fromkeys(c.probe for c in conditions)
    taken = {name: sampler.read_now(name, STEADY_STATE) for name in names}
    failed = []
    for condition in conditions:
        unit = probes[condition.probe].shown_as
        outcome = judge(condition, [taken[condition.probe]], unit)
        if not outcome.passed:
            failed.append(
                f"probe {condition.probe} measured {outcome.found} "
                f"(expected {expected(condition, unit)})"
            )
    if not failed:
        return ""
    return "steady state does not hold before the first fault, so nothing was broken: " + "; ".join(
        failed
    )


def after(sampler: Sampler, conditions: Sequence[ProbeCondition]) -> None:
    """One more reading of each probe the hypothesis names, every fault reverted."""
    for name in dict.fromkeys(c.probe for c in conditions):
        sampler.read_now(name, AFTER)
