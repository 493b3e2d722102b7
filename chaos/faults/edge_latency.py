"""edge-latency: slow down the link to one edge (a Toxiproxy latency toxic)."""

from __future__ import annotations

from pydantic import Field

from chaos.drivers.proxy import ProxyToxic
from chaos.faults._links import Stream, toxic
from chaos.model import FAULTS, FaultType, Params, TargetRef


class EdgeLatency(Params):
    latency_ms: int = Field(default=300, ge=0, le=60_000)
    jitter_ms: int = Field(default=0, ge=0, le=60_000)
    stream: Stream = "downstream"
    toxicity: float = Field(default=1.0, ge=0.0, le=1.0)


def build(target: TargetRef, params: EdgeLatency, fault_id: str) -> ProxyToxic:
    attributes = {"latency": params.latency_ms, "jitter": params.jitter_ms}
    return toxic(target, fault_id, "latency", attributes, params.stream, params.toxicity)


FAULTS.add(
    "edge-latency",
    FaultType("edge-latency", "added latency on an edge link", False, EdgeLatency, build, "proxy"),
)
