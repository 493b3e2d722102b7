"""Durations and percentages as humans write them in a scenario: `20s`, `300ms`, `99.9%`."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(value: Any) -> float:
    """Seconds from `300ms`, `20s`, `2m`, `1h` or a bare number of seconds."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 20s or 300ms, got {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"expected a duration >= 0, got {value!r}")
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    raise ValueError(f"expected a duration such as 20s or 300ms, got {value!r}")


def parse_fraction(value: Any) -> float:
    """A ratio in [0, 1] from `99.9%` or a bare fraction such as 0.999."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip()[:-1]) / 100.0
        except ValueError:
            number = -1.0
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise ValueError(
            f"expected a percentage such as 99.9% or a fraction in [0, 1], got {value!r}"
        )
    return number


def format_duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    return f"{seconds:g}s"


Duration = Annotated[float, BeforeValidator(parse_duration)]
Fraction = Annotated[float, BeforeValidator(parse_fraction)]
