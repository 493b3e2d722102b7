"""timeout: nothing gets through; the connection closes after `timeout` ms (0: never).

Data is held, not dropped: it waits in the link's queue (up to 1 MB, then reading from the
source pauses and the kernel holds the rest), and when the toxic is removed the held data
flows on, in order, on the same connection. Updating the toxic keeps the data held.
"""

from __future__ import annotations

from dataclasses import dataclass

from chaos.proxy.toxic import Chunk, Forward, Stub, Toxic, register


@register("timeout")
@dataclass(frozen=True)
class Timeout(Toxic):
    timeout: int = 0
    """Milliseconds after attaching before the connection is closed; 0 holds forever."""

    async def pipe(self, chunk: Chunk, stub: Stub, forward: Forward) -> None:
        await stub.until_removed()  # an update (new timeout) keeps holding, as in Toxiproxy
        await forward(chunk)

    async def watch(self, stub: Stub) -> None:
        if self.timeout > 0 and not await stub.until_detached(self.timeout / 1000):
            stub.close()
