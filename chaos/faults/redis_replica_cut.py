"""redis-replica-cut: a replica stops replicating (REPLICAOF NO ONE), so reads from it go
stale; revert reattaches it to its primary. See chaos.drivers.redis for why this method."""

from __future__ import annotations

from chaos.drivers.redis import RedisReplicaCut
from chaos.model import FAULTS, FaultType, Params, TargetRef
from livefire.errors import FaultError


class RedisReplicaCutParams(Params):
    pass


def build(target: TargetRef, params: RedisReplicaCutParams, fault_id: str) -> RedisReplicaCut:
    if not target.redis_replica_url:
        raise FaultError(f"target '{target.name}' declares no redis replica (replica_url)")
    return RedisReplicaCut.build(target.redis_replica_url)


FAULTS.add(
    "redis-replica-cut",
    FaultType(
        "redis-replica-cut",
        "a Redis replica is detached from its primary; revert reattaches it",
        False,
        RedisReplicaCutParams,
        build,
        "redis",
    ),
)
