"""edge-latency: slow down the link to one edge (a Toxiproxy latency toxic)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chaos.drivers.proxy import ProxyToxic
from chaos.model import FAULTS, FaultType, Params, TargetRef
from livefire.errors import FaultError


class EdgeLatency(Params):
    latency_ms: int = Field(default=300, ge=0, le=60_000)
    jitter_ms: int = Field(default=0, ge=0, le=60_000)
    stream: Literal["upstream", "downstream"] = "downstream"
    toxicity: float = Field(default=1.0, ge=0.0, le=1.0)


def build(target: TargetRef, params: EdgeLatency, fault_id: str) -> ProxyToxic:
    if not (target.proxy_api and target.proxy):
        raise FaultError(f"target '{target.name}' has no fault proxy in front of it")
    toxic = {
        "name": f"livefire-{fault_id}",
        "type": "latency",
        "stream": params.stream,
        "toxicity": params.toxicity,
        "attributes": {"latency": params.latency_ms, "jitter": params.jitter_ms},
    }
    return ProxyToxic(target.proxy_api, target.proxy, toxic, target.token)


FAULTS.add(
    "edge-latency",
    FaultType("edge-latency", "added latency on an edge link", False, EdgeLatency, build),
)
