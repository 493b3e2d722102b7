"""redis-primary-kill: the Redis primary dies; Sentinel must promote the replica.

The primary is whoever Sentinel names at build time (else the target's redis URL). Revert
restarts the old primary only if the target has a restart command (Sentinel then makes it
a replica); without one the fault is purely self-healing.
"""

from __future__ import annotations

from typing import Literal

from chaos.drivers.redis import RedisKill, primary_of
from chaos.model import FAULTS, FaultType, Params, TargetRef


class RedisPrimaryKill(Params):
    method: Literal["shutdown", "segfault", "sigkill"] = "shutdown"  # see chaos.drivers.redis
    restart: bool = True  # on revert, restart it with the target's restart command


def build(target: TargetRef, params: RedisPrimaryKill, fault_id: str) -> RedisKill:
    if target.sentinels:
        address = primary_of(list(target.sentinels), target.sentinel_master)
    else:
        assert target.redis_url
        address = target.redis_url
    restart = list(target.restart_argv) if params.restart else []
    return RedisKill.build(address, params.method, restart)


FAULTS.add(
    "redis-primary-kill",
    FaultType(
        "redis-primary-kill",
        "the Redis primary dies (SHUTDOWN NOSAVE, DEBUG SEGFAULT or SIGKILL)",
        True,
        RedisPrimaryKill,
        build,
        "redis",
    ),
)
