"""The scenario's load shape as a pure function of time."""

from __future__ import annotations

DEFAULT_SHAPE: list[dict[str, float]] = [{"ramp": 10.0, "to": 1.0}]


def fraction_at(steps: list[dict[str, float]], t: float) -> float:
    """Fraction of full load at `t` seconds: ramps are linear, holds keep the level, and the
    level after the last step stays."""
    level, start = 0.0, 0.0
    for step in steps or DEFAULT_SHAPE:
        if "ramp" in step:
            length, target = step["ramp"], step["to"]
            if t < start + length:
                return level + (target - level) * (t - start) / length if length else target
            level = target
        else:
            length = step["hold"]
            if t < start + length:
                return level
        start += length
    return level


def users_at(users: dict[str, int], fraction: float) -> dict[str, int]:
    """How many of each kind at `fraction` of full load (rounded, never negative)."""
    return {kind: max(0, round(count * fraction)) for kind, count in users.items()}
