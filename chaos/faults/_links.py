"""Shared by the catalog's proxy faults: one toxic on a target's link, named for its fault."""

from __future__ import annotations

from typing import Any, Literal

from chaos.drivers.proxy import ProxyToxic, toxic_driver
from chaos.model import TargetRef

Stream = Literal["upstream", "downstream"]
ToxicType = Literal[
    "latency", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer", "limit_data"
]


def toxic(
    target: TargetRef,
    fault_id: str,
    kind: str,
    attributes: dict[str, Any],
    stream: str = "downstream",
    toxicity: float = 1.0,
    part: str = "",
) -> ProxyToxic:
    """A toxic named `livefire-<fault id>[-part]`, so reverts and leftovers are recognisable."""
    assert target.proxy_api and target.proxy  # FaultType.create checked the target kind
    body = {
        "name": f"livefire-{fault_id}{'-' + part if part else ''}",
        "type": kind,
        "stream": stream,
        "toxicity": toxicity,
        "attributes": attributes,
    }
    return toxic_driver(target.proxy_api, target.proxy, body, target.token_env)
