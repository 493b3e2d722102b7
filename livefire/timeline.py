"""The run's fault timeline, resolved from the scenario: pure data, printed by `--dry-run`.

A fault is reverted at `at + for`, except a kill with `restart_after`: its revert (the
restart) comes `restart_after` after the kill, independent of `for`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from chaos.catalog import FAULTS
from livefire.scenario.schema import FaultSpec, Scenario

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
    params: dict[str, Any] = field(default_factory=dict, compare=False)  # defaults filled in


def plan(scenario: Scenario) -> list[PlannedFault]:
    planned = []
    for index, spec in enumerate(scenario.faults):
        params = resolved_params(spec)
        length = spec.for_ if spec.for_ is not None else 0.0
        if params.get("restart_after") is not None:
            length = float(params["restart_after"])
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
                params,
            )
        )
    return sorted(planned, key=lambda p: p.inject_at)


def resolved_params(spec: FaultSpec) -> dict[str, Any]:
    """The fault's parameters with its defaults filled in ({} if the loader would refuse
    them anyway: it reports every problem, this only plans)."""
    if spec.fault not in FAULTS:
        return {}
    try:
        return FAULTS.get(spec.fault).params.model_validate(dict(spec.params)).model_dump()
    except ValidationError:
        return {}


def describe(planned: list[PlannedFault]) -> list[str]:
    """One line per fault, as `--dry-run` prints the timeline, with its parameters."""
    return [
        f"{p.fault_id}: t={p.inject_at:g}s inject {p.fault} on {p.target}; "
        f"revert at t={p.revert_at:g}s (TTL {p.ttl:g}s)"
        + (f"; params: {', '.join(f'{k}={v!r}' for k, v in p.params.items())}" if p.params else "")
        for p in planned
    ]
