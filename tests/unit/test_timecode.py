"""The visual timecode survives a real H.264 encode at the source size, a downscale to the
reference ladder's lowest rendition and a low-bitrate re-encode; a damaged one is refused."""

from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np
import pytest
from livefire_stubs.ladder import DEFAULT, FULL

from livefire.base import timecode
from livefire.base.timecode import Timecode
from loadgen.decode import inspect_segment

T0_MS = 1_764_000_000_000
LOWEST = min(DEFAULT + FULL, key=lambda r: r.width)  # 144p of the default ladder


def frames(width: int, height: int, count: int, stream: int) -> list[np.ndarray]:
    """yuv420p frames of moving noise (hard to compress) carrying their timecode."""
    rng = np.random.default_rng(7)
    out = []
    for i in range(count):
        luma = rng.integers(0, 256, (height, width), dtype=np.uint8)
        timecode.draw(luma, Timecode(T0_MS + i * 67, i, stream))
        chroma = rng.integers(100, 156, (height // 2, width), dtype=np.uint8)
        out.append(np.concatenate((luma, chroma)))
    return out


def encode(pictures: list[np.ndarray], width: int, height: int, bitrate: int) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mpegts") as out:
        stream = out.add_stream("libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = bitrate
        stream.codec_context.time_base = Fraction(1, 15)
        stream.codec_context.options = {"preset": "ultrafast", "g": "15"}
        for pts, picture in enumerate(pictures):
            frame = av.VideoFrame.from_ndarray(picture, format="yuv420p")
            frame.pts = pts
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def decoded_luma(data: bytes, width: int, height: int) -> list[np.ndarray]:
    """Decode, scale to width × height (as a transcoder would), keep the luma planes."""
    with av.open(io.BytesIO(data), "r", format="mpegts") as container:
        return [
            f.reformat(width=width, height=height, format="yuv420p").to_ndarray()[:height]
            for f in container.decode(container.streams.video[0])
        ]


def test_bits_round_trip_and_a_flipped_bit_is_refused() -> None:
    code = Timecode(T0_MS, 4242, timecode.stream_id("s0"))
    bits = timecode.encode_bits(code)
    assert len(bits) == timecode.DATA_BITS and timecode.decode_bits(bits) == code
    for index in (0, 30, 70, 91):
        damaged = list(bits)
        damaged[index] ^= 1
        assert timecode.decode_bits(damaged) is None


def test_cells_are_at_least_8_px_at_the_lowest_rendition() -> None:
    assert LOWEST.width / timecode.GRID_COLS >= 8 and LOWEST.height / timecode.GRID_ROWS >= 8


def test_a_frame_without_a_code_reads_as_none() -> None:
    grey = np.full((144, 256), 128, dtype=np.uint8)
    assert timecode.read(grey) is None
    noise = np.random.default_rng(1).integers(0, 256, (144, 256), dtype=np.uint8)
    assert timecode.read(noise) is None


@pytest.mark.parametrize("source", [(1280, 720), (854, 480)])
def test_code_survives_encode_downscale_and_low_bitrate_reencode(
    source: tuple[int, int],
) -> None:
    width, height = source
    stream = timecode.stream_id("creator-3")
    first = encode(frames(width, height, 15, stream), width, height, 2_000_000)
    lowest = decoded_luma(first, LOWEST.width, LOWEST.height)
    chroma = np.full((LOWEST.height // 2, LOWEST.width), 128, dtype=np.uint8)
    pictures = [np.concatenate((luma, chroma)) for luma in lowest]
    second = encode(pictures, LOWEST.width, LOWEST.height, 100_000)  # under 144p's 150 kbps
    read = [timecode.read(luma) for luma in decoded_luma(second, LOWEST.width, LOWEST.height)]
    assert read == [Timecode(T0_MS + i * 67, i, stream) for i in range(15)]


def test_a_segment_inspection_reads_its_first_frame() -> None:
    stream = timecode.stream_id("s1")
    data = encode(frames(256, 144, 15, stream), 256, 144, 150_000)
    inspection = inspect_segment(data, 1.0)
    assert inspection.problem is None
    assert inspection.code == Timecode(T0_MS, 0, stream)
