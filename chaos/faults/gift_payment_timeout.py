"""gift-payment-timeout: the payment provider stops answering (documented: the async queue
holds gifts, 99.98% eventual consistency). A Toxiproxy `timeout` toxic on the provider link:
no reply arrives; with `timeout_ms` > 0 the connection is closed after that long."""

from __future__ import annotations

from pydantic import Field

from chaos.drivers.proxy import ProxyToxic
from chaos.faults._links import Stream, toxic
from chaos.model import FAULTS, FaultType, Params, TargetRef


class GiftPaymentTimeout(Params):
    timeout_ms: int = Field(default=0, ge=0, le=600_000)  # 0: hold until reverted
    stream: Stream = "downstream"
    toxicity: float = Field(default=1.0, ge=0.0, le=1.0)


def build(target: TargetRef, params: GiftPaymentTimeout, fault_id: str) -> ProxyToxic:
    attributes = {"timeout": params.timeout_ms}
    return toxic(target, fault_id, "timeout", attributes, params.stream, params.toxicity)


FAULTS.add(
    "gift-payment-timeout",
    FaultType(
        "gift-payment-timeout",
        "the payment provider link stops answering (timeout toxic)",
        False,
        GiftPaymentTimeout,
        build,
        "proxy",
    ),
)
