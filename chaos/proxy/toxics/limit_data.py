"""limit_data: the connection is closed once `bytes` bytes have passed in this stream."""

from __future__ import annotations

from dataclasses import dataclass

from chaos.proxy.toxic import Chunk, Forward, Stub, Toxic, register


class Count:
    """Bytes this connection has already passed through the toxic."""

    def __init__(self) -> None:
        self.sent = 0


@register("limit_data")
@dataclass(frozen=True)
class LimitData(Toxic):
    bytes: int = 0
    """Bytes allowed through before the connection is closed."""

    def new_state(self) -> Count:
        return Count()

    async def pipe(self, chunk: Chunk, stub: Stub, forward: Forward) -> None:
        count = stub.state
        remaining = self.bytes - count.sent
        if remaining > 0:
            piece = chunk.data[:remaining]
            count.sent += len(piece)
            await forward(chunk if len(piece) == len(chunk.data) else Chunk(piece, chunk.arrived))
        if count.sent >= self.bytes:
            stub.close()
