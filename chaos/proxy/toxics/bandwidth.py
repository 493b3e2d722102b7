"""bandwidth: the stream moves at most `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from chaos.proxy.toxic import Chunk, Forward, Stub, Toxic, register

SLICE_SECONDS = 0.1
"""Big chunks go out in slices worth this long, so the stream is smooth, not bursty."""


class Pace:
    """When the stream may send next; idle time earns no credit."""

    def __init__(self) -> None:
        self.next_at = 0.0


@register("bandwidth")
@dataclass(frozen=True)
class Bandwidth(Toxic):
    rate: int = 0
    """Kilobytes (1000 bytes) per second; 0 means unlimited."""

    def new_state(self) -> Pace:
        return Pace()

    async def pipe(self, chunk: Chunk, stub: Stub, forward: Forward) -> None:
        if self.rate <= 0:
            await forward(chunk)
            return
        loop = asyncio.get_running_loop()
        per_second = self.rate * 1000
        size = max(1, int(per_second * SLICE_SECONDS))
        data, pace = chunk.data, stub.state
        for start in range(0, len(data), size):
            piece = data[start : start + size]
            pace.next_at = max(pace.next_at, loop.time()) + len(piece) / per_second
            wait = pace.next_at - loop.time()
            if wait > 0 and await stub.until_detached(wait):
                await forward(Chunk(data[start:], chunk.arrived))  # removed: the rest goes now
                return
            await forward(Chunk(piece, chunk.arrived))
