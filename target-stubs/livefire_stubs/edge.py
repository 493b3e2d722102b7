"""Edge: a caching reverse proxy of the origin for one region.

Segments are immutable and cached; playlists are cached at most half a target duration; a
blocking playlist request (`_HLS_msn`) is forwarded once per distinct URL however many viewers
wait on it (request coalescing), which is what keeps an edge alive under a live audience.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter

from livefire.base import stages
from livefire_stubs import component

PLAYLIST_TTL = 0.5  # seconds: half the 1 s target duration
SEGMENT_CACHE = 512  # entries


@dataclass(frozen=True)
class Cached:
    status: int
    body: bytes
    content_type: str
    expires: float
    stages: str = ""  # the origin's X-Stage-Times with this edge's `edge` stamp; "": none


class Edge:
    def __init__(self, origin: str, region: str, registry: CollectorRegistry) -> None:
        self.origin = origin.rstrip("/")
        self.region = region
        self.cache: OrderedDict[str, Cached] = OrderedDict()
        self.inflight: dict[str, asyncio.Future[Cached]] = {}
        self.hits = Counter(
            "edge_cache_hits", "requests served from cache", ["kind"], registry=registry
        )
        self.misses = Counter(
            "edge_cache_misses", "requests fetched from origin", ["kind"], registry=registry
        )
        self.upstream_errors = Counter(
            "edge_upstream_errors", "origin fetches that failed", registry=registry
        )
        self.session: aiohttp.ClientSession | None = None

    async def handle(self, request: web.Request) -> web.Response:
        key = request.path_qs
        kind = "segment" if request.path.endswith(".ts") else "playlist"
        cached = self.cache.get(key)
        if cached and cached.expires > time.monotonic():
            self.hits.labels(kind).inc()
            self.cache.move_to_end(key)
            return self._respond(cached)
        self.misses.labels(kind).inc()
        future = self.inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(self._fetch(key, kind))
            self.inflight[key] = future
            future.add_done_callback(lambda _: self.inflight.pop(key, None))
        return self._respond(await asyncio.shield(future))

    def _respond(self, cached: Cached) -> web.Response:
        headers = {"X-Edge-Region": self.region}
        if cached.stages:
            headers[stages.HEADER] = cached.stages
        return web.Response(
            status=cached.status,
            body=cached.body,
            content_type=cached.content_type,
            headers=headers,
        )

    async def _fetch(self, key: str, kind: str) -> Cached:
        """The origin's answer, to cache; a segment the origin sent with X-Stage-Times is
        served with this edge's `edge` stamp (when it had it all) appended
        (`livefire.base.stages`)."""
        assert self.session is not None
        try:
            async with self.session.get(self.origin + key) as response:
                body = await response.read()
                content_type = response.content_type
                status = response.status
                stamps = response.headers.get(stages.HEADER)
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.upstream_errors.inc()
            message = f'{{"error": "origin unreachable: {type(exc).__name__}", "status": 502}}'
            return Cached(502, message.encode(), "application/json", 0.0)
        ttl = (3600.0 if kind == "segment" else PLAYLIST_TTL) if status == 200 else 0.0
        cached_at = stages.append(stamps, "edge", time.time()) if stamps else ""
        cached = Cached(status, body, content_type, time.monotonic() + ttl, cached_at)
        if ttl:
            self.cache[key] = cached
            while len(self.cache) > SEGMENT_CACHE:
                self.cache.popitem(last=False)
        return cached


def build_app(origin: str, region: str) -> web.Application:
    registry = CollectorRegistry()
    edge = Edge(origin, region, registry)

    async def session_ctx(_: web.Application):  # type: ignore[no-untyped-def]
        timeout = aiohttp.ClientTimeout(total=8, sock_connect=2)
        connector = aiohttp.TCPConnector(limit=256)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            edge.session = session
            yield

    app = web.Application(middlewares=[component.errors_as_json])
    app.cleanup_ctx.append(session_ctx)
    component.add_health_and_metrics(app, registry)
    app.router.add_get("/live/{tail:.*}", edge.handle)
    return app


def main() -> None:
    parser = component.base_parser("edge")
    parser.add_argument("--origin", required=True, help="origin base URL (or its fault proxy)")
    parser.add_argument("--region", required=True)
    args = parser.parse_args()
    asyncio.run(component.serve(build_app(args.origin, args.region), args, {"region": args.region}))


if __name__ == "__main__":
    main()
