"""Toxics fed chunks through a fake stub, and slicer's cut points (no sockets)."""

from __future__ import annotations

import asyncio
import itertools
import random
from typing import Any

import pytest

from chaos.proxy.toxic import Chunk
from chaos.proxy.toxics.latency import Latency
from chaos.proxy.toxics.limit_data import LimitData
from chaos.proxy.toxics.slicer import Slicer, slice_offsets


class FakeStub:
    def __init__(self, state: Any = None) -> None:
        self.state = state
        self.closed = False
        self.was_reset = False

    async def until_detached(self, timeout: float | None = None) -> bool:
        return True

    async def until_removed(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True

    def reset(self) -> None:
        self.was_reset = True


def run_pipe(toxic: Any, chunks: list[bytes], stub: FakeStub) -> list[bytes]:
    out: list[bytes] = []

    async def forward(chunk: Chunk) -> None:
        out.append(chunk.data)

    async def main() -> None:
        for data in chunks:
            await toxic.pipe(Chunk(data, asyncio.get_running_loop().time()), stub, forward)

    asyncio.run(main())
    return out


@pytest.mark.parametrize(
    ("size", "average", "variation"),
    [(1000, 64, 16), (7, 3, 0), (100, 1, 0), (1000, 4, 4), (1000, 4, 9), (5000, 1, 300)],
)
def test_slice_offsets_cover_the_chunk(size: int, average: int, variation: int) -> None:
    cuts = slice_offsets(size, average, variation, random.Random(7))
    assert cuts[0] == 0 and cuts[-1] == size and cuts == sorted(set(cuts))
    pieces = [b - a for a, b in itertools.pairwise(cuts)]
    assert max(pieces) <= average + variation
    assert min(pieces) >= 1


def test_slice_offsets_without_average_keep_the_chunk_whole() -> None:
    assert slice_offsets(500, 0, 0, random.Random()) == [0, 500]


def test_slicer_forwards_every_byte_in_order() -> None:
    data = bytes(range(256)) * 4
    out = run_pipe(Slicer(average_size=50, size_variation=10), [data], FakeStub())
    assert b"".join(out) == data and len(out) >= 16


def test_limit_data_truncates_then_closes() -> None:
    stub = FakeStub(LimitData(bytes=10).new_state())
    out = run_pipe(LimitData(bytes=10), [b"abcdef", b"ghijkl", b"mnop"], stub)
    assert out == [b"abcdef", b"ghij"] and stub.closed


def test_latency_delay_stays_within_jitter() -> None:
    toxic = Latency(latency=100, jitter=20)
    delays = [toxic.delay() for _ in range(500)]
    assert all(0.080 <= d <= 0.120 for d in delays)
    assert Latency(latency=5, jitter=50).delay() >= 0
