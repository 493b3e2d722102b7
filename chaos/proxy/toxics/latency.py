"""latency: every chunk reaches the other side `latency` ± `jitter` ms after it arrived."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from chaos.proxy.toxic import Chunk, Forward, Stub, Toxic, register


@register("latency")
@dataclass(frozen=True)
class Latency(Toxic):
    latency: int = 0
    """Delay added to each chunk, in milliseconds."""
    jitter: int = 0
    """Uniform spread around `latency`, in milliseconds."""

    def delay(self) -> float:
        """The delay for one chunk, in seconds."""
        spread = random.uniform(-self.jitter, self.jitter) if self.jitter else 0.0
        return max(0.0, self.latency + spread) / 1000

    async def pipe(self, chunk: Chunk, stub: Stub, forward: Forward) -> None:
        # Count from the arrival, so chunks queued behind a slow one are not delayed twice.
        loop = asyncio.get_running_loop()
        wait = chunk.arrived + self.delay() - loop.time()
        if wait > 0:
            await stub.until_detached(wait)  # removed or updated: deliver now, as Toxiproxy
        await forward(chunk)
