"""proxy-toxic: any Toxiproxy toxic by type and attributes, for links the catalog lacks."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chaos.drivers.proxy import ProxyToxic
from chaos.faults._links import Stream, ToxicType, toxic
from chaos.model import FAULTS, FaultType, Params, TargetRef


class ProxyToxicParams(Params):
    type: ToxicType = "latency"
    attributes: dict[str, Any] = Field(default_factory=dict)  # as Toxiproxy documents them
    stream: Stream = "downstream"
    toxicity: float = Field(default=1.0, ge=0.0, le=1.0)


def build(target: TargetRef, params: ProxyToxicParams, fault_id: str) -> ProxyToxic:
    attributes = dict(params.attributes)
    return toxic(target, fault_id, params.type, attributes, params.stream, params.toxicity)


FAULTS.add(
    "proxy-toxic",
    FaultType(
        "proxy-toxic",
        "any Toxiproxy toxic (type, attributes, stream, toxicity) on the target's link",
        False,
        ProxyToxicParams,
        build,
        "proxy",
    ),
)
