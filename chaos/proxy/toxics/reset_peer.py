"""reset_peer: on the first data, wait `timeout` ms, then reset the connection (TCP RST)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from chaos.proxy.toxic import Chunk, Forward, Stub, Toxic, register


@register("reset_peer")
@dataclass(frozen=True)
class ResetPeer(Toxic):
    timeout: int = 0
    """Milliseconds between the first data and the reset; 0 resets at once."""

    async def pipe(self, chunk: Chunk, stub: Stub, forward: Forward) -> None:
        if self.timeout > 0:
            await asyncio.sleep(self.timeout / 1000)
        stub.reset()
