"""payment-latency: the payment provider answers, slowly (latency toxic on its link)."""

from __future__ import annotations

from pydantic import Field

from chaos.drivers.proxy import ProxyToxic
from chaos.faults._links import Stream, toxic
from chaos.model import FAULTS, FaultType, Params, TargetRef


class PaymentLatency(Params):
    latency_ms: int = Field(default=2_000, ge=0, le=120_000)
    jitter_ms: int = Field(default=500, ge=0, le=60_000)
    stream: Stream = "downstream"
    toxicity: float = Field(default=1.0, ge=0.0, le=1.0)


def build(target: TargetRef, params: PaymentLatency, fault_id: str) -> ProxyToxic:
    attributes = {"latency": params.latency_ms, "jitter": params.jitter_ms}
    return toxic(target, fault_id, "latency", attributes, params.stream, params.toxicity)


FAULTS.add(
    "payment-latency",
    FaultType(
        "payment-latency",
        "slow payment provider (latency toxic on its link)",
        False,
        PaymentLatency,
        build,
        "proxy",
    ),
)
