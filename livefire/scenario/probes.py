"""Probes: the platform's own signals, declared in the scenario (`probes:`), and the conditions
that read them — a steady-state hypothesis (`steady_state:`), a guard (`guards:` with `probe:`),
an SLO (`slos.probes`, also in every phase).

Three kinds, exactly one per probe, each sampled every `every` seconds by the conductor:

    prometheus  an instant PromQL query against a Prometheus HTTP API: its one value
    http        an HTTP check: the status must be one of `status`; the value is the number at
                `json` (a JSON path) or, without one, the response time in seconds
    command     an argv list, never a shell: its exit code, or the number it prints

Connection settings (headers with `env:`/`file:` secret references, TLS, timeout) are the
staging endpoints' own, minus identities: a probe has no simulated user behind it. Kept apart
from `schema.py` so the verdict reads the conditions without the targets (and so `chaos`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from livefire.base.units import Duration, parse_duration, parse_fraction
from livefire.scenario.connect import TlsSpec
from livefire.scenario.model import Model

ProbeUnit = Literal["number", "s", "ratio"]
MIN_EVERY_S = 0.5  # sampling faster than this measures the prober more than the platform


class _Connect(Model):
    """How a probe reaches an HTTP endpoint: the staging endpoints' settings."""

    headers: dict[str, str] = Field(default_factory=dict)  # literal, env:NAME or file:PATH
    tls: TlsSpec | None = None
    timeout: Duration = Field(default=5.0, gt=0)  # connect + whole response


class PrometheusProbe(_Connect):
    url: str  # the Prometheus base URL (its HTTP API is under /api/v1/query)
    query: str = Field(min_length=1)  # PromQL; must yield one series or a scalar


class HttpProbe(_Connect):
    url: str
    method: Literal["GET", "HEAD", "POST"] = "GET"
    status: tuple[int, ...] = (200,)  # any other status is a failed sample
    # a JSON path to a number (true/false read as 1/0), written `json:` in the scenario
    json_path: str | None = Field(default=None, alias="json")


class CommandProbe(Model):
    argv: tuple[str, ...] = Field(min_length=1)  # run directly, never through a shell
    value: Literal["exit_code", "stdout"] = "exit_code"  # stdout: a non-zero exit fails
    timeout: Duration = Field(default=10.0, gt=0)


KINDS = ("prometheus", "http", "command")


class ProbeSpec(Model):
    """One probe: exactly one kind, sampled every `every` seconds from the run's start."""

    prometheus: PrometheusProbe | None = None
    http: HttpProbe | None = None
    command: CommandProbe | None = None
    every: Duration = Field(default=5.0, ge=MIN_EVERY_S)  # the sampling interval
    unit: ProbeUnit | None = None  # how values are shown; default: s for an HTTP latency

    @model_validator(mode="after")
    def _one_kind(self) -> ProbeSpec:
        given = [kind for kind in KINDS if getattr(self, kind) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(f"expected exactly one of {', '.join(KINDS)}; got {found}")
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind in KINDS if getattr(self, kind) is not None)

    @property
    def shown_as(self) -> ProbeUnit:
        if self.unit is not None:
            return self.unit
        return "s" if self.http is not None and self.http.json_path is None else "number"


def parse_bound(value: Any) -> float:
    """A condition's bound: a number, a duration (`500ms`) or a percentage (`1%`)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, a duration or a percentage, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            return parse_fraction(text)
        try:
            return float(text)
        except ValueError:
            pass
        try:
            return parse_duration(text)
        except ValueError:
            pass
    raise ValueError(f"expected a number, a duration (500ms) or a percentage (1%), got {value!r}")


class ProbeCondition(Model):
    """A probe's promise: every sample inside [min, max]. A sample without a value (the probe
    unreachable, erroring, no series) never holds."""

    probe: str  # a name under `probes:`
    max: float | None = None  # inclusive
    min: float | None = None  # inclusive

    @field_validator("max", "min", mode="before")
    @classmethod
    def _bound(cls, value: Any) -> float | None:
        return None if value is None else parse_bound(value)

    @model_validator(mode="after")
    def _some_bound(self) -> ProbeCondition:
        if self.max is None and self.min is None:
            raise ValueError("expected max, min or both (e.g. {probe: NAME, max: 0.01})")
        if self.max is not None and self.min is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self

    def holds(self, value: float | None) -> bool:
        if value is None or value != value:  # None or NaN
            return False
        return (self.max is None or value <= self.max) and (self.min is None or value >= self.min)

    def expected(self) -> str:
        """Human form, e.g. "<= 0.01", ">= 3", "in [1, 5]" (raw numbers; see `format`)."""
        if self.max is not None and self.min is not None:
            return f"in [{self.min:g}, {self.max:g}]"
        return f"<= {self.max:g}" if self.max is not None else f">= {self.min:g}"


class ProbeGuard(ProbeCondition):
    """A stop condition on a probe: abort (exit 3, every fault reverted) once its samples have
    been outside [min, max] — or without a value — for `for` seconds in a row."""

    for_: Duration = Field(default=10.0, alias="for")


__all__ = [
    "KINDS",
    "CommandProbe",
    "HttpProbe",
    "ProbeCondition",
    "ProbeGuard",
    "ProbeSpec",
    "PrometheusProbe",
    "parse_bound",
]
