"""How far a run may drift from a baseline run of the same scenario before `livefire compare`
calls it a regression: the scenario's `compare:` block.

    compare:
      tolerance: 10%                    # every promise: a tenth of its room (the default)
      promises:
        stream_latency_p95: 5%          # tighter for this one
        recovery: 2s                    # every recovery time: 2 s worse at most
        recovery:cdn-region-blackhole: 25%

A percentage is a share of the promise's *room*: the distance between a perfect figure and the
promised one — the threshold itself for "at most" promises (p95 <= 250 ms: 10% is 25 ms), what
the threshold leaves missing for "at least" ratios (>= 99.9%: 10% is 0.01 points). That keeps
one tolerance meaningful for latencies and for nines alike, and never divides by a baseline that
happens to be zero. A duration (`20ms`, `2s`) is an absolute allowance, for time promises only.

Kept beside the SLOs and recorded in report.json (`compare`), so a comparison needs only the
two run directories: the run being judged carries the tolerance it is judged by.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from livefire.base.registry import suggest
from livefire.base.units import Fraction, parse_duration, parse_fraction
from livefire.scenario.slos import Model
from livefire.verdict.slis import SLIS

DEFAULT_TOLERANCE = 0.10  # a tenth of each promise's room
LEDGER_PROMISES = ("gifts_lost", "gifts_doubled", "gift_eventual_consistency", "gifts_reconciled")


class Tolerance(Model):
    """One promise's allowance: a share of its room, or an absolute amount in seconds."""

    share: float | None = Field(default=None, ge=0, le=1)  # of the promise's room (0.1 = 10%)
    absolute: float | None = Field(default=None, ge=0)  # seconds; time promises only

    def allowed(self, room: float) -> float:
        """How much worse the figure may get, in the promise's base unit."""
        if self.absolute is not None:
            return self.absolute
        return (DEFAULT_TOLERANCE if self.share is None else self.share) * room


def _tolerance(value: Any) -> Any:
    """`5%` or 0.05 → a share; `20ms`/`2s` → absolute seconds; a mapping as report.json has it."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip().endswith("%"):
        return {"share": parse_fraction(value)}
    if isinstance(value, str):
        try:
            return {"absolute": parse_duration(value)}
        except ValueError:
            raise ValueError(
                f"expected a share of the promise's room such as 10%, or a duration such as "
                f"20ms, got {value!r}"
            ) from None
    return {"share": parse_fraction(value)}


PromiseTolerance = Annotated[Tolerance, BeforeValidator(_tolerance)]


def known_promise(name: str) -> bool:
    """An SLO name, a ledger check, `recovery` (every budget) or `recovery:FAULT`."""
    return name in SLIS or name in LEDGER_PROMISES or name.split(":", 1)[0] == "recovery"


def _promise_name(name: str) -> str:
    if not known_promise(name):
        known = (*SLIS.names(), *LEDGER_PROMISES, "recovery")
        raise ValueError(f"unknown promise '{name}'{suggest(name, known)}")
    return name


PromiseName = Annotated[str, AfterValidator(_promise_name)]


def _is_time(name: str) -> bool:
    """Latencies and recovery times (a duration allowance makes sense for these only)."""
    return (name in SLIS and SLIS.get(name).unit == "s") or name.startswith("recovery")


class CompareSpec(Model):
    """`compare:` in a scenario: how much worse than its baseline a run may get."""

    tolerance: Fraction = DEFAULT_TOLERANCE  # share of each promise's room, e.g. 10%
    promises: dict[PromiseName, PromiseTolerance] = Field(default_factory=dict)  # per promise

    @field_validator("promises")
    @classmethod
    def _durations_for_time_only(cls, promises: dict[str, Tolerance]) -> dict[str, Tolerance]:
        wrong = [n for n, t in promises.items() if t.absolute is not None and not _is_time(n)]
        if wrong:
            raise ValueError(
                f"{', '.join(wrong)}: a duration is an allowance for time promises only "
                "(latencies, recovery); give a share of the promise's room such as 10%"
            )
        return promises

    def for_promise(self, promise: str) -> Tolerance:
        """The allowance for one check's promise: its own, else its family's (`recovery`),
        else the scenario-wide share."""
        own = self.promises.get(promise)
        if own is None and promise.startswith("recovery:"):
            own = self.promises.get("recovery")
        return own if own is not None else Tolerance(share=self.tolerance)

    def to_json(self) -> dict[str, Any]:
        """As report.json records it (`compare`)."""
        return {
            "tolerance": self.tolerance,
            "promises": {
                name: t.model_dump(exclude_none=True) for name, t in self.promises.items()
            },
        }
