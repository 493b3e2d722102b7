"""cdn-region-blackhole: a whole CDN region stops answering (its proxy is disabled)."""

from __future__ import annotations

from chaos.drivers.proxy import ProxyDisable
from chaos.model import FAULTS, FaultType, Params, TargetRef
from livefire.errors import FaultError


class CdnRegionBlackhole(Params):
    pass


def build(target: TargetRef, params: CdnRegionBlackhole, fault_id: str) -> ProxyDisable:
    if not (target.proxy_api and target.proxy):
        raise FaultError(f"target '{target.name}' has no fault proxy in front of it")
    return ProxyDisable(target.proxy_api, target.proxy, target.token)


FAULTS.add(
    "cdn-region-blackhole",
    FaultType(
        "cdn-region-blackhole", "a CDN region stops answering", False, CdnRegionBlackhole, build
    ),
)
