"""slicer: chunks are cut into pieces of about `average_size` bytes, `delay` µs apart."""

from __future__ import annotations

import random
from dataclasses import dataclass

from chaos.proxy.toxic import Chunk, Forward, Stub, Toxic, register


def slice_offsets(size: int, average: int, variation: int, rng: random.Random) -> list[int]:
    """Cut points of a `size`-byte chunk, from 0 to `size`, halving until pieces are small.

    Halving (rather than cutting from the front) keeps pieces evenly varied, with no small
    piece bunched at the start or end.
    """
    if average <= 0 or size <= 0:
        return [0, size]
    cuts = [0]
    pending = [(0, size)]
    while pending:
        start, end = pending.pop()
        if end - start - average <= variation:
            cuts.append(end)
            continue
        shift = rng.randint(-variation, variation) if variation else 0
        mid = min(end - 1, max(start + 1, start + (end - start) // 2 + shift))
        pending.append((mid, end))
        pending.append((start, mid))
    return cuts


@register("slicer")
@dataclass(frozen=True)
class Slicer(Toxic):
    average_size: int = 0
    """Average piece size in bytes; 0 passes chunks whole."""
    size_variation: int = 0
    """Pieces vary by up to this many bytes around the average; any value works (Toxiproxy
    accepts one above the average, and `slice_offsets` keeps every piece at least 1 byte)."""
    delay: int = 0
    """Microseconds between pieces."""

    async def pipe(self, chunk: Chunk, stub: Stub, forward: Forward) -> None:
        data = chunk.data
        cuts = slice_offsets(len(data), self.average_size, self.size_variation, _RNG)
        for i in range(1, len(cuts)):
            await forward(Chunk(data[cuts[i - 1] : cuts[i]], chunk.arrived))
            last = i == len(cuts) - 1
            if self.delay and not last and await stub.until_detached(self.delay / 1_000_000):
                await forward(Chunk(data[cuts[i] :], chunk.arrived))  # removed: the rest now
                return


_RNG = random.Random()
