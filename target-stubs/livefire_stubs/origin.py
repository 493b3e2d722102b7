"""Origin: holds every live stream's segments and serves its playlists, with LL-HLS blocking
playlist reload so a viewer learns of a segment the moment it is published.

Ingest protocol (transcoders → origin):
  PUT /ingest/{stream}                          JSON {"renditions": [{name, bandwidth, width,
                                                height, fps, codecs}], "owner": node}
  PUT /ingest/{stream}/{rendition}/{seq}.ts     body: MPEG-TS; headers X-Program-Date-Time
                                                (epoch seconds of the first frame), X-Duration,
                                                X-Discontinuity: 1 after an encoder change,
                                                X-Stage-Times (optional: captured, muxed; the
                                                origin adds `origin`, see livefire.base.stages)
Playback:
  GET /live/{stream}/master.m3u8
  GET /live/{stream}/{rendition}/index.m3u8[?_HLS_msn=N]   blocks until segment N exists
  GET /live/{stream}/{rendition}/{seq}.ts       X-Stage-Times when the transcoder sent it
  GET /streams                                  JSON list of live streams
Creator ingest routing (transcoder nodes heartbeat here every second):
  PUT /ingest-nodes/{node}                      JSON {"url"}: the node is alive at url
  GET /ingest-route?stream=S                    → {"stream", "node", "push": URL to PUT/POST
                                                the MPEG-TS to}: the stream's owner while it
                                                is alive, else a live node chosen by the
                                                stream's hash; 503 if no node is alive
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge

from livefire.base import stages
from livefire_stubs import component
from livefire_stubs.hls import Rendition, Segment, master_playlist, media_playlist

WINDOW = 6  # segments listed in a media playlist
KEEP = 30  # segments kept for download after they leave the window
TARGET_DURATION = 1.0
NODE_ALIVE_S = 3.0  # a transcoder node unheard of for longer is not routed to


@dataclass
class Track:
    """One rendition of one stream: its recent segments and a wake-up for blocked readers."""

    segments: deque[Segment] = field(default_factory=lambda: deque(maxlen=KEEP))
    published: asyncio.Condition = field(default_factory=asyncio.Condition)
    discontinuities: list[int] = field(default_factory=list)  # seqs that start a discontinuity

    @property
    def last_seq(self) -> int:
        return self.segments[-1].seq if self.segments else -1

    def window(self) -> list[Segment]:
        return list(self.segments)[-WINDOW:]

    def discontinuity_seq(self, first_seq: int) -> int:
        """EXT-X-DISCONTINUITY-SEQUENCE: discontinuities that slid out before `first_seq`."""
        return sum(1 for seq in self.discontinuities if seq < first_seq)


@dataclass
class Stream:
    renditions: dict[str, Rendition]
    tracks: dict[str, Track]
    owner: str = ""


class Origin:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.streams: dict[str, Stream] = {}
        self.nodes: dict[str, tuple[str, float]] = {}  # transcoder node → (url, last heard)
        self.published = Counter(
            "origin_segments_published", "segments received", ["stream"], registry=registry
        )
        self.blocked = Gauge(
            "origin_blocked_playlist_requests", "requests held for a segment", registry=registry
        )

    def track(self, request: web.Request) -> Track:
        stream = self.streams.get(request.match_info["stream"])
        track = stream.tracks.get(request.match_info["rendition"]) if stream else None
        if track is None:
            raise web.HTTPNotFound(
                reason=f"no live stream '{request.match_info['stream']}' "
                f"rendition '{request.match_info['rendition']}'"
            )
        return track

    async def register(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        try:
            renditions = {r["name"]: Rendition(**r) for r in body["renditions"]}
        except (KeyError, TypeError) as exc:
            raise web.HTTPBadRequest(
                reason=f"renditions: expected a list of "
                f"{{name, bandwidth, width, height, fps}}: {exc}"
            ) from None
        name = request.match_info["stream"]
        old = self.streams.get(name)
        tracks = {r: (old.tracks[r] if old and r in old.tracks else Track()) for r in renditions}
        self.streams[name] = Stream(renditions, tracks, str(body.get("owner", "")))
        return web.json_response({"stream": name, "renditions": list(renditions)})

    async def ingest(self, request: web.Request) -> web.Response:
        track = self.track(request)
        try:
            seq = int(request.match_info["seq"])
            pdt = float(request.headers["X-Program-Date-Time"])
            duration = float(request.headers.get("X-Duration", TARGET_DURATION))
        except (KeyError, ValueError) as exc:
            raise web.HTTPBadRequest(reason=f"segment headers: {exc}") from None
        if seq <= track.last_seq:
            raise web.HTTPConflict(reason=f"segment {seq} is not after {track.last_seq}")
        data = await request.read()
        if not data:
            raise web.HTTPBadRequest(reason="empty segment body")
        discontinuity = request.headers.get("X-Discontinuity") == "1"
        if discontinuity:
            track.discontinuities.append(seq)
        stamps = request.headers.get(stages.HEADER)
        stamps = stages.append(stamps, "origin", time.time()) if stamps else ""
        async with track.published:
            track.segments.append(Segment(seq, data, pdt, duration, discontinuity, stamps))
            track.published.notify_all()
        self.published.labels(request.match_info["stream"]).inc()
        return web.json_response({"seq": seq}, status=201)

    async def media(self, request: web.Request) -> web.Response:
        track = self.track(request)
        msn = request.query.get("_HLS_msn")
        if msn is not None:
            await self._hold_until(track, msn)
        window = track.window()
        if not window:
            raise web.HTTPNotFound(reason="stream has no segments yet")
        text = media_playlist(window, TARGET_DURATION, True, track.discontinuity_seq(window[0].seq))
        return web.Response(text=text, content_type="application/vnd.apple.mpegurl")

    async def _hold_until(self, track: Track, msn_text: str) -> None:
        try:
            msn = int(msn_text)
        except ValueError:
            raise web.HTTPBadRequest(
                reason=f"_HLS_msn: expected an integer, got {msn_text!r}"
            ) from None
        if msn > track.last_seq + 2:  # LL-HLS: too far in the future
            raise web.HTTPBadRequest(reason=f"_HLS_msn {msn} is more than 2 past {track.last_seq}")
        self.blocked.inc()
        try:
            async with track.published:
                await asyncio.wait_for(
                    track.published.wait_for(lambda: track.last_seq >= msn), 3 * TARGET_DURATION
                )
        except TimeoutError:
            raise web.HTTPServiceUnavailable(
                reason=f"segment {msn} not published in time"
            ) from None
        finally:
            self.blocked.dec()

    async def segment(self, request: web.Request) -> web.Response:
        track = self.track(request)
        seq = int(request.match_info["seq"])
        for segment in track.segments:
            if segment.seq == seq:
                headers = {"Cache-Control": "max-age=60"}
                if segment.stages:
                    headers[stages.HEADER] = segment.stages
                return web.Response(body=segment.data, content_type="video/mp2t", headers=headers)
        raise web.HTTPNotFound(reason=f"segment {seq} is not (or no longer) available")

    async def master(self, request: web.Request) -> web.Response:
        stream = self.streams.get(request.match_info["stream"])
        if stream is None:
            raise web.HTTPNotFound(reason=f"no live stream '{request.match_info['stream']}'")
        text = master_playlist(list(stream.renditions.values()))
        return web.Response(text=text, content_type="application/vnd.apple.mpegurl")

    async def node_heartbeat(self, request: web.Request) -> web.Response:
        url = (await _json_body(request)).get("url")
        if not isinstance(url, str) or not url.startswith("http://"):
            raise web.HTTPBadRequest(reason=f"url: expected http://HOST:PORT, got {url!r}")
        self.nodes[request.match_info["node"]] = (url.rstrip("/"), time.monotonic())
        return web.json_response({"node": request.match_info["node"]})

    async def ingest_route(self, request: web.Request) -> web.Response:
        stream = request.query.get("stream", "")
        if not stream or "/" in stream or len(stream) > 200:
            raise web.HTTPBadRequest(reason=f"stream: expected a stream name, got {stream!r}")
        now = time.monotonic()
        alive = sorted(n for n, (_, seen) in self.nodes.items() if now - seen < NODE_ALIVE_S)
        if not alive:
            raise web.HTTPServiceUnavailable(reason="no transcoder node is alive")
        owner = self.streams[stream].owner if stream in self.streams else ""
        node = owner if owner in alive else alive[zlib.crc32(stream.encode()) % len(alive)]
        push = f"{self.nodes[node][0]}/push/{stream}"
        return web.json_response({"stream": stream, "node": node, "push": push})

    async def list_streams(self, _: web.Request) -> web.Response:
        now = time.time()
        live = [
            name
            for name, s in self.streams.items()
            if any(t.segments and now - t.segments[-1].pdt < 10 for t in s.tracks.values())
        ]
        return web.json_response({"streams": live})


async def _json_body(request: web.Request) -> dict:  # type: ignore[type-arg]
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(reason="body: expected JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(reason="body: expected a JSON object")
    return body


def build_app() -> web.Application:
    registry = CollectorRegistry()
    origin = Origin(registry)
    app = web.Application(middlewares=[component.errors_as_json], client_max_size=64 * 2**20)
    app.router.add_put("/ingest/{stream}", origin.register)
    app.router.add_put(r"/ingest/{stream}/{rendition}/{seq:\d+}.ts", origin.ingest)
    app.router.add_get("/live/{stream}/master.m3u8", origin.master)
    app.router.add_get("/live/{stream}/{rendition}/index.m3u8", origin.media)
    app.router.add_get(r"/live/{stream}/{rendition}/{seq:\d+}.ts", origin.segment)
    app.router.add_get("/streams", origin.list_streams)
    app.router.add_put("/ingest-nodes/{node}", origin.node_heartbeat)
    app.router.add_get("/ingest-route", origin.ingest_route)
    component.add_health_and_metrics(app, registry)
    return app


def main() -> None:
    args = component.base_parser("origin").parse_args()
    asyncio.run(component.serve(build_app(), args))


if __name__ == "__main__":
    main()
