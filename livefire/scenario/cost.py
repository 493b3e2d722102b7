"""What a fault's impact would cost in production: the severity table, the audience the run
stands for, and which severity each fault is priced at.

The scenario's optional `cost:` section; without it, the documented incident figures and the
documented peak audience. The verdict reads it (see `livefire.verdict.cost`) without the rest
of the schema. The cost is information: it never changes a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import Field, field_validator

from livefire.scenario.model import Model

# the documented incident figures, $ per hour, platform-wide
DOCUMENTED_SEVERITIES: dict[str, float] = {
    "P0": 2_600_000.0,  # recommendation engine down
    "P1": 1_050_000.0,  # video processing
    "P2": 420_000.0,  # regional CDN outage
}
DOCUMENTED_AUDIENCE = 50_000_000  # peak concurrent viewers (record 127M)

# each built-in fault kind's severity; a fault aimed at discovery is P0 whatever its kind
FAULT_SEVERITIES: dict[str, str] = {
    "transcoder-node-kill": "P1",  # video processing
    "origin-brownout": "P1",  # every edge's segments come from the origin
    "cdn-region-blackhole": "P2",  # regional CDN outage
    "edge-latency": "P2",
    "chat-node-kill": "P2",
    "redis-primary-kill": "P2",
    "redis-failover": "P2",
    "redis-replica-cut": "P2",
    "database-partition": "P2",
    "gift-payment-timeout": "P2",
    "payment-latency": "P2",
}
UNLISTED_SEVERITY = "P2"  # process, proxy, command, webhook and plugin faults: by target
P0_TARGETS = ("discovery", "search", "recommend")  # recommendations and discovery
P1_TARGETS = ("transcod", "origin")  # video processing, for a fault of an unlisted kind


class CostSpec(Model):
    """How a run's fault impact is priced (the scenario's `cost:` section)."""

    # severity → $ per hour of a platform-wide incident; replaces the documented table
    severities: dict[str, Annotated[float, Field(ge=0)]] = Field(
        default_factory=lambda: dict(DOCUMENTED_SEVERITIES)
    )
    # production peak concurrent viewers the run's audience stands for
    audience: int = Field(default=DOCUMENTED_AUDIENCE, gt=0)
    # fault kind → severity, over the defaults (`faults[i].severity` overrides both)
    faults: dict[str, str] = Field(default_factory=dict)

    @field_validator("severities")
    @classmethod
    def _priced(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("expected at least one severity and its $ per hour, e.g. {P1: 1e6}")
        return value

    def severity_of(self, fault: str, target: str, override: str | None) -> tuple[str, str]:
        """The severity a fault is priced at, and why: (severity, basis)."""
        return severity_of(fault, target, override, self.faults)


def severity_of(
    fault: str, target: str, override: str | None, kinds: Mapping[str, str]
) -> tuple[str, str]:
    """(severity, basis): set on the fault, else `cost.faults` (`kinds`), else the default —
    P0 for a fault on discovery or recommendations, else the fault kind's, else P1 on a
    transcoder or the origin, else P2."""
    if override is not None:
        return override, "set on the fault"
    if fault in kinds:
        return kinds[fault], f"cost.faults.{fault}"
    if any(word in target.lower() for word in P0_TARGETS):
        return "P0", f"default for a fault on {target}"
    if fault in FAULT_SEVERITIES:
        return FAULT_SEVERITIES[fault], f"default for {fault}"
    if any(word in target.lower() for word in P1_TARGETS):
        return "P1", f"default for a fault on {target}"
    return UNLISTED_SEVERITY, f"default for an unlisted fault ({fault})"
