"""Stream ownership as a Redis lease, so exactly one transcoder node encodes each stream.

The lease is the key `lf:lease:{stream}` holding the owner's node name, taken with
`SET NX PX ttl` and renewed (only by its holder, atomically) every third of the TTL. A node
that dies stops renewing, the key expires, and a survivor's next `SET NX` takes the stream:
failover within one TTL plus one poll. A node that cannot reach Redis keeps encoding until
its lease would have run out, then stops, so two nodes never publish the same stream for long.

`lf:seq:{stream}` holds the last media sequence number an owner cut, so a new owner
continues the stream's numbering instead of restarting it.
"""

from __future__ import annotations

import contextlib
import time

from redis.asyncio import Redis

from livefire_stubs.store import UNAVAILABLE

__all__ = ["Lease", "lease_key", "seq_key"]

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def lease_key(stream: str) -> str:
    return f"lf:lease:{stream}"


def seq_key(stream: str) -> str:
    return f"lf:seq:{stream}"


class Lease:
    """One node's claim on one stream. `held` says whether it may encode right now."""

    def __init__(self, redis: Redis, stream: str, node: str, ttl_ms: int) -> None:
        self.redis = redis
        self.stream = stream
        self.node = node
        self.ttl_ms = ttl_ms
        self.expires = 0.0  # monotonic time our claim runs out, as far as we know

    @property
    def held(self) -> bool:
        return time.monotonic() < self.expires

    async def acquire(self) -> bool:
        """Take the stream if nobody holds it; True if we now hold it."""
        started = time.monotonic()
        try:
            taken = await self.redis.set(lease_key(self.stream), self.node, nx=True, px=self.ttl_ms)
        except UNAVAILABLE:
            return False
        if taken:
            self.expires = started + self.ttl_ms / 1000
        return bool(taken)

    async def renew(self) -> bool:
        """Extend our claim; False once we no longer hold it (lost, or Redis gone too long)."""
        started = time.monotonic()
        try:
            renewed = await self.redis.eval(
                _RENEW, 1, lease_key(self.stream), self.node, str(self.ttl_ms)
            )  # type: ignore[misc]
        except UNAVAILABLE:
            return self.held  # keep going until our claim would have expired anyway
        if renewed:
            self.expires = started + self.ttl_ms / 1000
            return True
        self.expires = 0.0
        return False

    async def release(self) -> None:
        self.expires = 0.0
        with contextlib.suppress(*UNAVAILABLE):
            await self.redis.eval(_RELEASE, 1, lease_key(self.stream), self.node)  # type: ignore[misc]

    async def last_seq(self) -> int:
        """The last sequence number any owner cut for this stream, -1 if none or unknown."""
        try:
            value = await self.redis.get(seq_key(self.stream))
        except UNAVAILABLE:
            return -1
        return int(value) if value is not None else -1

    async def record_seq(self, seq: int) -> None:
        with contextlib.suppress(*UNAVAILABLE):
            await self.redis.set(seq_key(self.stream), seq)
