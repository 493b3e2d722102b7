"""Transcoder node: encodes live streams into the ABR ladder in real time and publishes
1 s segments to the origin.

The built-in synthetic source plays a camera: frame i of a stream is "captured" at
t0 + (i + 1) / fps, so a segment is complete at the camera exactly at its program-date-time
plus its duration, and stream latency measures the platform, not the source.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import aiohttp
from prometheus_client import CollectorRegistry, Counter, Histogram

from livefire_stubs import component
from livefire_stubs.encoder import SegmentEncoder
from livefire_stubs.hls import Rendition
from livefire_stubs.ladder import LADDERS
from livefire_stubs.synthetic import TestPattern

SEGMENT_SECONDS = 1.0


@dataclass
class LiveStream:
    """One stream being encoded: its clock origin and the segment under construction."""

    name: str
    ladder: tuple[Rendition, ...]
    t0: float
    patterns: dict[str, TestPattern] = field(default_factory=dict)
    encoders: dict[str, SegmentEncoder] = field(default_factory=dict)


class Transcoder:
    def __init__(
        self, origin: str, ladder: tuple[Rendition, ...], node: str, registry: CollectorRegistry
    ) -> None:
        self.origin = origin.rstrip("/")
        self.ladder = ladder
        self.node = node
        self.fps = max(r.fps for r in ladder)
        self.frames_per_segment = int(self.fps * SEGMENT_SECONDS)
        self.published = Counter(
            "transcoder_segments_published",
            "segments accepted by origin",
            ["stream"],
            registry=registry,
        )
        self.failed = Counter(
            "transcoder_publish_failures",
            "segments the origin refused",
            ["stream"],
            registry=registry,
        )
        self.encode_seconds = Histogram(
            "transcoder_segment_encode_seconds",
            "CPU time to encode one segment of the ladder",
            registry=registry,
        )
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, streams: list[str]) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            self.session = session
            for name in streams:
                await self._register(name)
            t0 = time.time()
            await asyncio.gather(*(self._encode(LiveStream(n, self.ladder, t0)) for n in streams))

    async def _register(self, name: str) -> None:
        body = {"owner": self.node, "renditions": [r.__dict__ for r in self.ladder]}
        async with self.session.put(f"{self.origin}/ingest/{name}", json=body) as response:
            response.raise_for_status()

    async def _encode(self, stream: LiveStream) -> None:
        frame = 0
        while True:
            await asyncio.sleep(max(0.0, stream.t0 + (frame + 1) / self.fps - time.time()))
            started = time.process_time()
            self._add_frame(stream, frame)
            frame += 1
            if frame % self.frames_per_segment == 0:
                seq = frame // self.frames_per_segment - 1
                segments = {n: e.finish() for n, e in stream.encoders.items()}
                stream.encoders.clear()
                pdt = stream.t0 + seq * SEGMENT_SECONDS
                for rendition, data in segments.items():
                    self._spawn(self._publish(stream.name, rendition, seq, pdt, data))
            self.encode_seconds.observe(time.process_time() - started)

    def _add_frame(self, stream: LiveStream, frame: int) -> None:
        capture_ms = int((stream.t0 + frame / self.fps) * 1000)
        for rendition in stream.ladder:
            if frame % (self.fps // rendition.fps):
                continue
            pattern = stream.patterns.setdefault(
                rendition.name, TestPattern(rendition.width, rendition.height)
            )
            encoder = stream.encoders.get(rendition.name)
            if encoder is None:
                frames = int(rendition.fps * SEGMENT_SECONDS)
                encoder = stream.encoders[rendition.name] = SegmentEncoder(rendition, frames)
            pts = frame // (self.fps // rendition.fps)
            encoder.add(pattern.frame(pts, capture_ms), pts)

    def _spawn(self, coroutine: object) -> None:
        task = asyncio.ensure_future(coroutine)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish(
        self, stream: str, rendition: str, seq: int, pdt: float, data: bytes
    ) -> None:
        url = f"{self.origin}/ingest/{stream}/{rendition}/{seq}.ts"
        headers = {"X-Program-Date-Time": f"{pdt:.6f}", "X-Duration": f"{SEGMENT_SECONDS}"}
        try:
            async with self.session.put(url, data=data, headers=headers) as response:
                if response.status == 201:
                    self.published.labels(stream).inc()
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        self.failed.labels(stream).inc()


def main() -> None:
    parser = component.base_parser("transcoder")
    parser.add_argument("--origin", required=True, help="origin base URL")
    parser.add_argument("--streams", default="live1", help="comma-separated stream names")
    parser.add_argument("--ladder", choices=sorted(LADDERS), default="default")
    args = parser.parse_args()
    registry = CollectorRegistry()
    transcoder = Transcoder(args.origin, LADDERS[args.ladder], args.name, registry)
    from aiohttp import web

    app = web.Application(middlewares=[component.errors_as_json])
    component.add_health_and_metrics(app, registry)
    streams = [s for s in args.streams.split(",") if s]
    asyncio.run(
        component.serve(app, args, {"streams": streams}, background=lambda: transcoder.run(streams))
    )


if __name__ == "__main__":
    main()
