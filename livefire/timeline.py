"""The run's fault timeline, resolved from the scenario: pure data, printed by `--dry-run`."""

from __future__ import annotations

from dataclasses import dataclass

from livefire.scenario.schema import Scenario

TTL_MARGIN_S = 30.0  # a sustained fault's TTL: its `for` plus this, unless the scenario says


@dataclass(frozen=True)
class PlannedFault:
    fault_id: str  # f0, f1, ... in timeline order
    index: int  # position in the scenario's `faults` list (for error messages)
    fault: str
    target: str
    inject_at: float  # seconds after load starts
    revert_at: float  # seconds after load starts
    ttl: float  # seconds after injection after which the watchdog reverts it regardless


def plan(scenario: Scenario) -> list[PlannedFault]:
    planned = []
    for index, spec in enumerate(scenario.faults):
        length = spec.for_ if spec.for_ is not None else 0.0
        ttl = spec.ttl if spec.ttl is not None else length + TTL_MARGIN_S
        planned.append(
            PlannedFault(
                f"f{index}",
                index,
                spec.fault,
                spec.target,
                spec.at,
                spec.at + length,
                max(ttl, length),
            )
        )
    return sorted(planned, key=lambda p: p.inject_at)


def describe(planned: list[PlannedFault]) -> list[str]:
    """One line per fault, as `--dry-run` prints the timeline."""
    return [
        f"{p.fault_id}: t={p.inject_at:g}s inject {p.fault} on {p.target}; "
        f"revert at t={p.revert_at:g}s (TTL {p.ttl:g}s)"
        for p in planned
    ]
