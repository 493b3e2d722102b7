"""cdn-region-blackhole: a whole CDN region stops answering (its proxy is disabled)."""

from __future__ import annotations

from chaos.drivers.proxy import ProxyDisable, disable_driver
from chaos.model import FAULTS, FaultType, Params, TargetRef


class CdnRegionBlackhole(Params):
    pass


def build(target: TargetRef, params: CdnRegionBlackhole, fault_id: str) -> ProxyDisable:
    assert target.proxy_api and target.proxy
    return disable_driver(target.proxy_api, target.proxy, target.token_env)


FAULTS.add(
    "cdn-region-blackhole",
    FaultType(
        "cdn-region-blackhole",
        "a CDN region stops answering (its link is disabled)",
        True,  # the promise is a reroute *while* the region is down: recovery from injection
        CdnRegionBlackhole,
        build,
        "proxy",
    ),
)
