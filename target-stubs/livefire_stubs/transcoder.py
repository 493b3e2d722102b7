"""Transcoder node: encodes the live streams it owns into the ABR ladder in real time and
publishes 1 s segments to the origin (protocol in `origin`).

Every node is told every stream; it encodes only those whose Redis lease it holds (see
`lease`). A node first claims its own share (stream i belongs to node i mod N); a stream
whose lease is free for longer than one TTL (its owner died, or never came) is taken by
whichever survivor polls first. The new owner continues the media sequence from the last
number cut (Redis, or the origin's playlist if higher) and marks its first segment
`X-Discontinuity: 1`, so the playlist carries EXT-X-DISCONTINUITY. With the sabotage
`no-transcoder-failover` a node only ever encodes its own share.

The built-in synthetic source plays a camera: frame i of a stream is "captured" at
t0 + (i + 1) / fps, so a segment is complete at the camera exactly at its program-date-time
plus its duration, and stream latency measures the platform, not the source.

    GET /streams  → {"node", "owned": [stream, ...], "pushed": [stream, ...]}

Creator push ingest: a creator streams MPEG-TS (H.264 video; audio is ignored) as the body
of one chunked `PUT` or `POST /push/{stream}` to the node `GET /ingest-route?stream=` on the
origin names (`push`). The node takes the stream's lease, decodes the body with PyAV as it
arrives and re-encodes it into the ladder, publishing a segment per second of the source's
timeline (program-date-time: when its first frame arrived). The request ends when the body
does: 200 `{"stream", "node", "segments", "first_seq"}`. Errors (JSON): 400 when the body is
not decodable MPEG-TS video; 409 while another connection or node holds the stream (a dead
node's lease runs out within the lease TTL: ask the route again and retry). If the node dies
mid-push, the creator asks the route again (the origin stops routing to a node unheard of
for 3 s) and reconnects; the new node continues the numbering with a discontinuity.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram

from livefire.base import stages
from livefire_stubs import component
from livefire_stubs.encoder import SegmentEncoder
from livefire_stubs.hls import Rendition
from livefire_stubs.ladder import LADDERS
from livefire_stubs.lease import Lease
from livefire_stubs.push import BodyReader, PushError, transcode
from livefire_stubs.sabotage import add_sabotage_arg
from livefire_stubs.store import Store, add_redis_args, store_from_args
from livefire_stubs.synthetic import TestPattern

SEGMENT_SECONDS = 1.0
DISCOVERY_EVERY_S = 10.0


@dataclass
class LiveStream:
    """One stream being encoded: its clock origin, first seq and the segment in progress."""

    name: str
    ladder: tuple[Rendition, ...]
    t0: float
    first_seq: int = 0
    discontinuity: bool = False
    patterns: dict[str, TestPattern] = field(default_factory=dict)
    encoders: dict[str, SegmentEncoder] = field(default_factory=dict)


@dataclass(frozen=True)
class NodeOptions:
    origin: str
    ladder: tuple[Rendition, ...]
    node: str
    index: int = 0  # this node's position among `nodes`: which streams are its own
    nodes: int = 1
    lease_ms: int = 3000
    failover: bool = True
    discovery: str = ""  # discovery base URL: owned streams are registered live there


class Transcoder:
    def __init__(self, opts: NodeOptions, store: Store, registry: CollectorRegistry) -> None:
        self.opts = opts
        self.origin = opts.origin.rstrip("/")
        self.ladder = opts.ladder
        self.store = store
        self.fps = max(r.fps for r in opts.ladder)
        self.frames_per_segment = int(self.fps * SEGMENT_SECONDS)
        self.owned: dict[str, asyncio.Task[None]] = {}
        self.pushed: set[str] = set()
        self.synthetic: set[str] = set()
        self.url = ""  # this node's own URL, advertised to the origin for ingest routing
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
        self.takeovers = Counter(
            "transcoder_takeovers",
            "streams this node started owning",
            ["stream"],
            registry=registry,
        )
        self.encode_seconds = Histogram(
            "transcoder_segment_encode_seconds",
            "CPU time to encode one frame of the ladder",
            registry=registry,
        )
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, streams: list[str]) -> None:
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            self.session = session
            self.synthetic = set(streams)
            started = time.monotonic()
            await asyncio.gather(
                self._heartbeat(),
                *(
                    self._hold(name, i % self.opts.nodes == self.opts.index, started)
                    for i, name in enumerate(streams)
                ),
            )

    async def _hold(self, name: str, own_share: bool, started: float) -> None:
        """Forever: claim the stream when allowed, renew while encoding, stop when lost."""
        lease = Lease(self.store.primary, name, self.opts.node, self.opts.lease_ms)
        poll = self.opts.lease_ms / 3000
        next_discovery = 0.0
        try:
            while True:
                if name in self.owned:
                    if not await lease.renew():
                        await self._drop(name)
                elif self._may_claim(own_share, started) and await lease.acquire():
                    await self._take(name, lease)
                if name in self.owned and time.monotonic() >= next_discovery:
                    next_discovery = time.monotonic() + DISCOVERY_EVERY_S
                    self._spawn(self._announce(name))
                await asyncio.sleep(poll)
        finally:
            await self._drop(name)
            await lease.release()

    def _may_claim(self, own_share: bool, started: float) -> bool:
        if own_share:
            return True
        grace_over = time.monotonic() - started > self.opts.lease_ms / 1000
        return self.opts.failover and grace_over

    async def _take(self, name: str, lease: Lease) -> None:
        last = max(await lease.last_seq(), await self._origin_last_seq(name))
        await self._register(name)
        stream = LiveStream(name, self.ladder, time.time(), last + 1, discontinuity=last >= 0)
        self.owned[name] = asyncio.create_task(self._encode(stream, lease))
        self.takeovers.labels(name).inc()

    async def _drop(self, name: str) -> None:
        task = self.owned.pop(name, None)
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _register(self, name: str) -> None:
        body = {"owner": self.opts.node, "renditions": [r.__dict__ for r in self.ladder]}
        async with self.session.put(f"{self.origin}/ingest/{name}", json=body) as response:
            response.raise_for_status()

    async def _origin_last_seq(self, name: str) -> int:
        """The origin's last listed seq of the stream's first rendition, -1 if none."""
        url = f"{self.origin}/live/{name}/{self.ladder[0].name}/index.m3u8"
        try:
            async with self.session.get(url) as response:
                if response.status != 200:
                    return -1
                lines = (await response.text()).splitlines()
        except (aiohttp.ClientError, TimeoutError):
            return -1
        uris = [line for line in lines if line.endswith(".ts")]
        return int(uris[-1].removesuffix(".ts")) if uris else -1

    async def _announce(self, name: str) -> None:
        if not self.opts.discovery:
            return
        body = {"title": f"{name} live", "creator": self.opts.node, "tags": ["live"]}
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with self.session.put(f"{self.opts.discovery}/streams/{name}", json=body):
                pass

    async def _encode(self, stream: LiveStream, lease: Lease) -> None:
        frame = 0
        while True:
            await asyncio.sleep(max(0.0, stream.t0 + (frame + 1) / self.fps - time.time()))
            started = time.process_time()
            self.add_frame(stream, frame)
            frame += 1
            if frame % self.frames_per_segment == 0:
                k = frame // self.frames_per_segment - 1
                seq = stream.first_seq + k
                segments = {n: e.finish() for n, e in stream.encoders.items()}
                stream.encoders.clear()
                pdt = stream.t0 + k * SEGMENT_SECONDS
                stamps = muxed_stamps(pdt, time.time())
                discontinuity = stream.discontinuity and k == 0
                self._spawn(lease.record_seq(seq))
                for rendition, data in segments.items():
                    self._spawn(
                        self._publish(stream.name, rendition, seq, pdt, data, discontinuity, stamps)
                    )
            self.encode_seconds.observe(time.process_time() - started)

    def add_frame(self, stream: LiveStream, frame: int) -> None:
        """Encode frame `frame` of every rendition (the loop and the benchmark drive this)."""
        capture_ms = int((stream.t0 + frame / self.fps) * 1000)
        for rendition in stream.ladder:
            if frame % (self.fps // rendition.fps):
                continue
            pattern = stream.patterns.get(rendition.name)
            if pattern is None:  # built once: a pattern precomputes its bars
                pattern = TestPattern(rendition.width, rendition.height, stream.name)
                stream.patterns[rendition.name] = pattern
            encoder = stream.encoders.get(rendition.name)
            if encoder is None:
                frames = int(rendition.fps * SEGMENT_SECONDS)
                encoder = stream.encoders[rendition.name] = SegmentEncoder(rendition, frames)
            pts = frame // (self.fps // rendition.fps)
            encoder.add(pattern.frame(pts, capture_ms), pts)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish(
        self,
        stream: str,
        rendition: str,
        seq: int,
        pdt: float,
        data: bytes,
        disc: bool,
        stamps: str = "",
    ) -> None:
        url = f"{self.origin}/ingest/{stream}/{rendition}/{seq}.ts"
        headers = {"X-Program-Date-Time": f"{pdt:.6f}", "X-Duration": f"{SEGMENT_SECONDS}"}
        if stamps:
            headers[stages.HEADER] = stamps
        if disc:
            headers["X-Discontinuity"] = "1"
        try:
            async with self.session.put(url, data=data, headers=headers) as response:
                if response.status == 201:
                    self.published.labels(stream).inc()
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        self.failed.labels(stream).inc()

    async def owned_streams(self, _: web.Request) -> web.Response:
        owned, pushed = sorted(self.owned), sorted(self.pushed)
        return web.json_response({"node": self.opts.node, "owned": owned, "pushed": pushed})

    async def _heartbeat(self) -> None:
        """Tell the origin every second that this node takes pushes at `self.url`."""
        while True:
            if self.url:
                url = f"{self.origin}/ingest-nodes/{self.opts.node}"
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with self.session.put(url, json={"url": self.url}):
                        pass
            await asyncio.sleep(1.0)

    async def push(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["stream"]
        if name in self.synthetic:
            return component.json_error(409, f"stream {name!r} is a synthetic stream")
        lease = Lease(self.store.primary, name, self.opts.node, self.opts.lease_ms)
        if name in self.pushed or not await lease.acquire():
            return component.json_error(
                409,
                f"stream {name!r} is held by another connection or node; ask "
                f"GET /ingest-route?stream={name} on the origin and retry",
            )
        self.pushed.add(name)
        try:
            return await self._ingest(request, name, lease)
        finally:
            self.pushed.discard(name)
            await lease.release()

    async def _ingest(self, request: web.Request, name: str, lease: Lease) -> web.Response:
        first = max(await lease.last_seq(), await self._origin_last_seq(name)) + 1
        await self._register(name)
        loop = asyncio.get_running_loop()
        next_seq = [first]

        def publish(segments: dict[str, bytes], captured: float) -> None:  # worker thread
            seq, next_seq[0] = next_seq[0], next_seq[0] + 1
            disc = first > 0 and seq == first
            coroutine = self._publish_all(name, lease, seq, captured, segments, disc)
            asyncio.run_coroutine_threadsafe(coroutine, loop)

        reader = BodyReader()
        job = loop.run_in_executor(None, transcode, reader, self.ladder, publish)
        keeper = asyncio.create_task(self._keep(lease))
        try:
            async for chunk in request.content.iter_any():
                if job.done() or not lease.held:
                    break
                reader.feed(chunk)
        finally:
            reader.close_feed()
            keeper.cancel()
        try:
            segments = await job
        except PushError as exc:
            return component.json_error(400, str(exc))
        body = {"stream": name, "node": self.opts.node, "segments": segments, "first_seq": first}
        return web.json_response(body)

    async def _keep(self, lease: Lease) -> None:
        while await lease.renew():
            await asyncio.sleep(self.opts.lease_ms / 3000)

    async def _publish_all(
        self, name: str, lease: Lease, seq: int, pdt: float, segments: dict[str, bytes], disc: bool
    ) -> None:
        # no `captured`: a pushed segment's PDT is when its first frame arrived, not when the
        # camera completed it, and PDT + duration can fall after the cut (frames in bursts)
        stamps = stages.append(None, "muxed", time.time())
        await lease.record_seq(seq)
        await asyncio.gather(
            *(self._publish(name, r, seq, pdt, data, disc, stamps) for r, data in segments.items())
        )


def muxed_stamps(pdt: float, muxed: float) -> str:
    """The stage stamps a segment leaves the transcoder with: complete at the camera (its
    program-date-time + its duration) and muxed (`livefire.base.stages`)."""
    return stages.append(stages.append(None, "captured", pdt + SEGMENT_SECONDS), "muxed", muxed)


async def main() -> None:
    parser = component.base_parser("transcoder")
    parser.add_argument("--origin", required=True, help="origin base URL (or its fault proxy)")
    parser.add_argument("--streams", default="live1", help="comma-separated stream names")
    parser.add_argument("--ladder", choices=sorted(LADDERS), default="default")
    parser.add_argument("--node-index", type=int, default=0, help="this node's position")
    parser.add_argument("--nodes", type=int, default=1, help="how many nodes share the streams")
    parser.add_argument("--lease-ms", type=int, default=3000, help="stream lease TTL")
    parser.add_argument("--discovery", default="", help="discovery URL to register streams")
    add_redis_args(parser)
    add_sabotage_arg(parser)
    args = parser.parse_args()
    opts = NodeOptions(
        args.origin,
        LADDERS[args.ladder],
        args.name,
        args.node_index,
        max(1, args.nodes),
        max(300, args.lease_ms),
        "no-transcoder-failover" not in args.sabotage,
        args.discovery.rstrip("/"),
    )
    store = store_from_args(args)
    registry = CollectorRegistry()
    transcoder = Transcoder(opts, store, registry)
    app = web.Application(middlewares=[component.errors_as_json])
    app.router.add_get("/streams", transcoder.owned_streams)
    app.router.add_put("/push/{stream}", transcoder.push)
    app.router.add_post("/push/{stream}", transcoder.push)
    component.add_health_and_metrics(app, registry)
    streams = [s for s in args.streams.split(",") if s]
    try:
        await component.serve(
            app,
            args,
            {"streams": streams},
            background=lambda: transcoder.run(streams),
            listening=lambda url: setattr(transcoder, "url", url),
        )
    finally:
        await store.aclose()


if __name__ == "__main__":
    asyncio.run(main())
