"""A creator's camera for the load generator: a live H.264 MPEG-TS byte stream made with
PyAV in real time, so a creator can push it at real-time pace without any file on disk.

It is the client side's own encoder (the platform's is in target-stubs): one continuous
encoder, a keyframe every second, timestamps that never jump back — what an encoder app on a
phone sends. Every frame carries livefire's visual timecode (`livefire.base.timecode`): the
moment it was made, its number and the stream, so viewers read glass-to-glass latency from the
pixels whatever the platform stamps as PDT.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from fractions import Fraction

import av
import numpy as np

from livefire.base import timecode
from livefire.base.timecode import Timecode

WIDTH, HEIGHT, FPS = 256, 144, 15


class _Sink:
    """A write-only file PyAV muxes into; the bytes are taken out after every frame."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out, self.chunks = b"".join(self.chunks), []
        return out


def live_ts(seconds: float, sleep: object = time.sleep, stream_name: str = "") -> Iterator[bytes]:
    """Yield MPEG-TS bytes frame by frame, paced to real time, for `seconds` (then flush)."""
    sink = _Sink()
    container = av.open(sink, "w", format="mpegts")
    yield from _paced(container, sink, seconds, sleep, stream_name)


def camera(stream_name: str) -> Callable[[int], np.ndarray]:
    """Frame `index` of a creator's camera as yuv420p, stamped with the time it is made."""
    luma = np.tile(np.arange(WIDTH, dtype=np.uint8), (HEIGHT, 1))
    chroma = np.full((HEIGHT // 2, WIDTH), 128, dtype=np.uint8)
    stream = timecode.stream_id(stream_name)

    def frame(index: int) -> np.ndarray:
        picture = np.roll(luma, index * 3, axis=1)
        timecode.draw(picture, Timecode(int(time.time() * 1000), index, stream))
        return np.concatenate((picture, chroma))

    return frame


def _paced(
    container: av.container.OutputContainer,
    sink: _Sink,
    seconds: float,
    sleep: object,
    stream_name: str,
) -> Iterator[bytes]:
    """Encode the camera into `container` at real-time pace, yielding what `sink` receives."""
    stream = container.add_stream("libx264", rate=FPS)
    stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    stream.codec_context.time_base = Fraction(1, FPS)
    stream.codec_context.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(FPS)}
    shoot = camera(stream_name)
    start = time.time()
    for index in range(int(seconds * FPS)):
        delay = start + (index + 1) / FPS - time.time()
        if delay > 0:
            sleep(delay)  # type: ignore[operator]
        frame = av.VideoFrame.from_ndarray(shoot(index), format="yuv420p")
        frame.pts = index
        for packet in stream.encode(frame):
            container.mux(packet)
        if chunk := sink.take():
            yield chunk
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()
    if chunk := sink.take():
        yield chunk
