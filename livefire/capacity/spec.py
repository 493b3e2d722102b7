"""A capacity spec: what to load, how to search, which SLOs bind, how to plan. Parsed once
at the door by `livefire.scenario.loader.load_model` (every problem at its file:line).

    name: stub-capacity
    target: {stub: {slots: 16, service_ms: 40, seed: 7}}   # or {url: http://host:port/path}
    search: {start: 50, tolerance: 5%, warmup: 1s, hold: 4s, budget: 80s}
    slos: {latency_p95: 150ms, error_rate: 1%}
    plan: {component: edge, per_viewer: 0.00001}           # optional
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from livefire.base.units import Duration, Fraction

_PERCENTILE = re.compile(r"^latency_p(\d{1,2}(?:\.\d+)?)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stub(_Strict):
    """The capacity stub (`livefire_stubs.capacity`): its limit is known exactly."""

    slots: int = Field(default=16, ge=1, le=4096)
    service_ms: float = Field(default=40.0, gt=0)
    seed: int = 0
    sigma: float = Field(default=0.0, ge=0)
    kappa: float = Field(default=0.0, ge=0)
    fixed: bool = False


class Target(_Strict):
    stub: Stub | None = None
    url: str | None = None  # an endpoint already running (one GET per arrival)

    @model_validator(mode="after")
    def _one(self) -> Target:
        if (self.stub is None) == (self.url is None):
            raise ValueError("give exactly one of stub or url")
        return self


class SearchSettings(_Strict):
    start: float = Field(default=50.0, gt=0)  # requests/s of the first level
    tolerance: Fraction = 0.05  # stop when (lowest fail - highest pass) ≤ this × highest pass
    warmup: Duration = 1.0  # each level's first seconds, not judged
    hold: Duration = Field(default=30.0, gt=0)  # judged seconds of one attempt
    max_attempts: int = Field(default=3, ge=1)  # an uncertain level is extended this often
    budget: Duration = Field(default=600.0, gt=0)  # then INCONCLUSIVE with both bounds
    max_load: float = Field(default=100_000.0, gt=0)
    confidence: Fraction = 0.90  # two-sided: each bound is one-sided at (1+c)/2
    seed: int = 0  # the arrivals' and the bootstrap's


class Generator(_Strict):
    max_connections: int = Field(default=2000, ge=1, le=15000)
    late: Duration = 0.010  # woken later than this past a request's time counts as late


class PlanSettings(_Strict):
    component: str = "edge"
    per_viewer: float = Field(default=0.0, ge=0)  # the unit measured, per viewer
    per_creator: float = Field(default=0.0, ge=0)
    unit_price: float | None = Field(default=None, ge=0)  # per node-month; documented else
    growth_per_s: float | None = Field(default=None, ge=0)  # viewers/s; documented trigger else


class CapacitySpec(_Strict):
    name: str
    target: Target
    search: SearchSettings = SearchSettings()
    generator: Generator = Generator()
    slos: dict[str, float] = Field(min_length=1)
    plan: PlanSettings | None = None
    require: float | None = Field(default=None, gt=0)  # capacity below this: exit 1

    @field_validator("slos", mode="before")
    @classmethod
    def _slos(cls, raw: object) -> object:
        """latency_pNN (a duration, kept in µs) and error_rate (a fraction)."""
        if not isinstance(raw, dict):
            return raw
        from livefire.base.units import parse_duration, parse_fraction

        out: dict[str, float] = {}
        for name, value in raw.items():
            if name == "error_rate":
                out[name] = parse_fraction(value)
            elif _PERCENTILE.match(str(name)):
                out[str(name)] = parse_duration(value) * 1e6
            else:
                raise ValueError(f"unknown SLI '{name}' (known: latency_pNN, error_rate)")
        return out


def percentile_of(sli: str) -> float | None:
    match = _PERCENTILE.match(sli)
    return float(match.group(1)) if match else None
