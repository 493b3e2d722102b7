"""redis-failover: Sentinel is told to fail the primary over to a replica, as in a
planned maintenance; clients must follow the new primary."""

from __future__ import annotations

from chaos.drivers.redis import RedisFailover
from chaos.model import FAULTS, FaultType, Params, TargetRef
from livefire.base.errors import FaultError


class RedisFailoverParams(Params):
    pass


def build(target: TargetRef, params: RedisFailoverParams, fault_id: str) -> RedisFailover:
    if not target.sentinels:
        raise FaultError(f"target '{target.name}' declares no Sentinel to ask for a failover")
    return RedisFailover({"sentinels": list(target.sentinels), "master": target.sentinel_master})


FAULTS.add(
    "redis-failover",
    FaultType(
        "redis-failover",
        "SENTINEL FAILOVER: the primary role moves to a replica",
        True,
        RedisFailoverParams,
        build,
        "redis",
    ),
)
