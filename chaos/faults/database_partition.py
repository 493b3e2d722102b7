"""database-partition: the services lose the Redis primary (documented: replicas keep the
service up, 0% data loss).

Acts on the fault proxy in front of the primary. `blackhole` (default) holds every byte in
both directions (two `timeout` toxics with timeout 0) — packets vanish, as in a real
partition, and no write reaches the primary unacknowledged. `refuse` disables the proxy:
connections are reset and refused, as when the primary's host is unreachable but answers
with RSTs. iptables in a network namespace would need root, so it is not offered.
"""

from __future__ import annotations

from typing import Literal

from chaos.drivers.composite import AllOf
from chaos.drivers.proxy import disable_driver
from chaos.faults._links import toxic
from chaos.model import FAULTS, Driver, FaultType, Params, TargetRef


class DatabasePartition(Params):
    mode: Literal["blackhole", "refuse"] = "blackhole"


def build(target: TargetRef, params: DatabasePartition, fault_id: str) -> Driver:
    if params.mode == "refuse":
        assert target.proxy_api and target.proxy
        return disable_driver(target.proxy_api, target.proxy, target.token_env)
    return AllOf(
        [
            toxic(target, fault_id, "timeout", {"timeout": 0}, stream, part=stream[:2])
            for stream in ("upstream", "downstream")
        ]
    )


FAULTS.add(
    "database-partition",
    FaultType(
        "database-partition",
        "the Redis primary is cut off from the services (through its fault proxy)",
        False,
        DatabasePartition,
        build,
        "proxy",
    ),
)
