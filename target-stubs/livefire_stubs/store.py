"""Redis as the services see it: found through Sentinel, with reads that survive the primary.

Writes always go to the primary Sentinel names. Reads try the primary and, if it does not
answer (killed, frozen, partitioned), fall back to a replica Sentinel names, which keeps
serving possibly-stale data: "read replicas keep the service up". After a primary failure
reads skip it for `skip_primary_s`, so a partition costs one timeout, not one per request.
`replica_reads=False` is the `no-replica-reads` sabotage: reads then fail with the primary.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["UNAVAILABLE", "Store", "add_redis_args", "parse_sentinels", "store_from_args"]

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
"""What Redis raises when it cannot be reached; components answer these with 503."""


def parse_sentinels(value: str) -> list[tuple[str, int]]:
    """`host:port,host:port` → [(host, port), ...]; argparse type for `--sentinel`."""
    addrs = []
    for part in value.split(","):
        host, sep, port = part.strip().rpartition(":")
        if not sep or not host or not port.isdigit():
            raise argparse.ArgumentTypeError(f"expected host:port[,host:port...], got {part!r}")
        addrs.append((host, int(port)))
    return addrs


def add_redis_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sentinel",
        type=parse_sentinels,
        required=True,
        help="Sentinel addresses, host:port[,host:port...]",
    )
    parser.add_argument("--master-name", default="livefire")
    parser.add_argument(
        "--redis-timeout", type=float, default=0.5, help="seconds per Redis command"
    )


class Store:
    """The primary and replica clients of one component, both resolved through Sentinel."""

    def __init__(
        self,
        sentinels: list[tuple[str, int]],
        master_name: str = "livefire",
        timeout: float = 0.5,
        replica_reads: bool = True,
        skip_primary_s: float = 2.0,
    ) -> None:
        self.sentinel = Sentinel(sentinels, socket_timeout=timeout, socket_connect_timeout=timeout)
        self.primary: Redis = self.sentinel.master_for(
            master_name,
            decode_responses=True,
            retry=Retry(NoBackoff(), 1),
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        self.replica: Redis = self.sentinel.slave_for(
            master_name,
            decode_responses=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        self.master_name = master_name
        self.replica_reads = replica_reads
        self.skip_primary_s = skip_primary_s
        self._primary_failed_at = float("-inf")

    async def read(self, fn: Callable[[Redis], Awaitable[Any]]) -> Any:
        """Run the read `fn(client)` on the primary, or on a replica if the primary is gone."""
        if not self.replica_reads:
            return await fn(self.primary)
        if time.monotonic() - self._primary_failed_at > self.skip_primary_s:
            try:
                return await fn(self.primary)
            except UNAVAILABLE:
                self._primary_failed_at = time.monotonic()
        return await fn(self.replica)

    async def aclose(self) -> None:
        await self.primary.aclose()
        await self.replica.aclose()
        await self.sentinel.aclose()


def store_from_args(args: argparse.Namespace) -> Store:
    """The Store for a component started with add_redis_args/add_sabotage_arg flags."""
    return Store(
        args.sentinel,
        args.master_name,
        args.redis_timeout,
        replica_reads="no-replica-reads" not in getattr(args, "sabotage", []),
    )
