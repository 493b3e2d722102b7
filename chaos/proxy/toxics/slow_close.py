"""slow_close: when the source closes, the close reaches the other side `delay` ms later."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from chaos.proxy.toxic import Chunk, Forward, Stub, Toxic, register


@register("slow_close")
@dataclass(frozen=True)
class SlowClose(Toxic):
    delay: int = 0
    """Milliseconds between the source's close and passing it on."""

    async def pipe(self, chunk: Chunk, stub: Stub, forward: Forward) -> None:
        await forward(chunk)

    async def on_close(self, stub: Stub) -> None:
        await asyncio.sleep(self.delay / 1000)
