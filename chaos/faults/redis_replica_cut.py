"""redis-replica-cut: the primary–replica link is cut and stays cut, so reads from the replica
go stale while both servers keep running; revert restores the link and the replica resyncs.
See chaos.drivers.redis for how (a refused AUTH, not REPLICAOF NO ONE, which Sentinel undoes)."""

from __future__ import annotations

from chaos.drivers.redis import RedisReplicaCut
from chaos.model import FAULTS, FaultType, Params, TargetRef
from livefire.base.errors import FaultError


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
        "a Redis replica's replication link is cut (it stays a replica); revert restores it",
        False,
        RedisReplicaCutParams,
        build,
        "redis",
    ),
)
