"""Creator push ingest: decode an MPEG-TS upload as it arrives and re-encode it into the
ladder, one 1 s segment at a time (protocol in `transcoder`).

The HTTP handler feeds body chunks into a `BodyReader`; `transcode` runs in a worker thread
(PyAV blocks), reads it like a file, and hands every finished segment to `publish`, which
must be thread-safe (the transcoder schedules the uploads back on its event loop).
"""

from __future__ import annotations

import io
import queue
import time
from collections.abc import Callable

import av

from livefire_stubs.encoder import SegmentEncoder
from livefire_stubs.hls import Rendition

SEGMENT_SECONDS = 1.0

Publish = Callable[[dict[str, bytes], float], None]  # (rendition → MPEG-TS, capture epoch)


class PushError(ValueError):
    """The upload is not an MPEG-TS with a video stream PyAV can decode (answered 400)."""


class BodyReader(io.RawIOBase):
    """A blocking file over the chunks an asyncio handler `feed`s; `close_feed()` ends it."""

    def __init__(self) -> None:
        self._chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._buffer = b""
        self._ended = False
        self.received = 0

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        self._chunks.put(chunk)

    def close_feed(self) -> None:
        self._chunks.put(None)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer and not self._ended:
            chunk = self._chunks.get()
            if chunk is None:
                self._ended = True
            else:
                self._buffer = chunk
        n = min(len(buffer), len(self._buffer))
        buffer[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def transcode(source: BodyReader, ladder: tuple[Rendition, ...], publish: Publish) -> int:
    """Decode `source` and publish the ladder every SEGMENT_SECONDS of its timeline; returns
    the number of segments published (the last, partial one included)."""
    try:
        container = av.open(source, mode="r", format="mpegts")
    except av.FFmpegError as exc:
        raise PushError(f"body: not MPEG-TS ({exc})") from None
    with container:
        if not container.streams.video:
            raise PushError("body: the MPEG-TS carries no video stream")
        cutter = _Cutter(ladder, publish)
        try:
            for frame in container.decode(container.streams.video[0]):
                cutter.add(frame)
        except av.FFmpegError as exc:
            if not cutter.segments:
                raise PushError(f"body: undecodable video ({exc})") from None
        cutter.flush()
    if not cutter.segments:
        raise PushError("body: no decodable video frame")
    return cutter.segments


class _Cutter:
    """Cuts decoded frames into segments on the source's own clock, per rendition frame rate."""

    def __init__(self, ladder: tuple[Rendition, ...], publish: Publish) -> None:
        self.ladder = ladder
        self.publish = publish
        self.segments = 0
        self.start: float | None = None  # source time of the open segment's first frame
        self.captured = 0.0  # wall time that first frame arrived: the segment's capture time
        self.encoders: dict[str, SegmentEncoder] = {}
        self.counts: dict[str, int] = {}  # frames in the open segment, per rendition
        self.totals: dict[str, int] = {}  # frames so far: timestamps run on across segments

    def add(self, frame: av.VideoFrame) -> None:
        t = float(frame.time if frame.time is not None else 0.0)
        if self.start is not None and t - self.start >= SEGMENT_SECONDS - 1e-6:
            self.flush()
        if self.start is None:
            self.start, self.captured = t, time.time()
        for r in self.ladder:
            frames = int(r.fps * SEGMENT_SECONDS)
            k = self.counts.get(r.name, 0)
            if k >= frames or t - self.start < k / r.fps - 1e-6:
                continue  # frame-rate conversion: drop what the rendition has no slot for
            if r.name not in self.encoders:
                self.encoders[r.name] = SegmentEncoder(r, frames)
            scaled = frame.reformat(width=r.width, height=r.height, format="yuv420p")
            pts = self.totals.get(r.name, 0)
            self.encoders[r.name].add(scaled.to_ndarray(), pts)
            self.counts[r.name], self.totals[r.name] = k + 1, pts + 1

    def flush(self) -> None:
        if self.encoders:
            self.publish({n: e.finish() for n, e in self.encoders.items()}, self.captured)
            self.segments += 1
        self.encoders.clear()
        self.counts.clear()
        self.start = None
