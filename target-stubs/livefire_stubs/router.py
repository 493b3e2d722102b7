"""Router (GSLB): tells a viewer which edge to use, and steers a dead region's viewers to the
next region.

    GET /route?region=apac&stream=live1  →  {"region", "edge", "master", "rerouted"}

It health-checks every edge through the same fault proxy viewers use (so a black-holed
region looks dead to it, as it does to them) every `--check-interval`; after `--fail-after`
consecutive failures a region is out, after one success it is back. Sabotage
`no-region-reroute` keeps answering the asked region whatever its health.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge

from livefire_stubs import component


class Router:
    def __init__(
        self, edges: dict[str, str], fail_after: int, reroute: bool, registry: CollectorRegistry
    ) -> None:
        self.edges = edges  # region → edge URL, in fallback order
        self.fail_after = fail_after
        self.reroute = reroute
        self.failures = dict.fromkeys(edges, 0)
        self.healthy_gauge = Gauge(
            "router_region_healthy", "1 if the region's edge answers", ["region"], registry=registry
        )
        self.routes = Counter(
            "router_routes",
            "answers, by asked and given region",
            ["asked", "given"],
            registry=registry,
        )
        self.changed_at = dict.fromkeys(edges, time.time())

    def healthy(self, region: str) -> bool:
        return self.failures[region] < self.fail_after

    def choose(self, region: str) -> str:
        if not self.reroute or self.healthy(region):
            return region
        order = list(self.edges)
        start = order.index(region)
        for candidate in order[start + 1 :] + order[:start]:
            if self.healthy(candidate):
                return candidate
        return region  # everything is down: nothing better to offer

    async def route(self, request: web.Request) -> web.Response:
        region = request.query.get("region", "")
        stream = request.query.get("stream", "")
        if region not in self.edges:
            raise web.HTTPBadRequest(
                reason=f"region: expected one of {sorted(self.edges)}, got {region!r}"
            )
        if not stream or "/" in stream:
            raise web.HTTPBadRequest(reason=f"stream: expected a stream name, got {stream!r}")
        given = self.choose(region)
        self.routes.labels(region, given).inc()
        edge = self.edges[given]
        return web.json_response(
            {
                "region": given,
                "edge": edge,
                "rerouted": given != region,
                "master": f"{edge}/live/{stream}/master.m3u8",
            }
        )

    async def status(self, _: web.Request) -> web.Response:
        return web.json_response(
            {r: {"healthy": self.healthy(r), "edge": url} for r, url in self.edges.items()}
        )

    async def check_forever(self, interval: float) -> None:
        timeout = aiohttp.ClientTimeout(total=max(interval, 0.5))
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                await asyncio.gather(*(self._check(session, r) for r in self.edges))
                await asyncio.sleep(interval)

    async def _check(self, session: aiohttp.ClientSession, region: str) -> None:
        try:
            async with session.get(f"{self.edges[region]}/healthz") as response:
                ok = response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        self.failures[region] = 0 if ok else self.failures[region] + 1
        self.healthy_gauge.labels(region).set(1 if self.healthy(region) else 0)


def parse_edges(text: str) -> dict[str, str]:
    """`apac=http://127.0.0.1:1,na=http://...` → ordered {region: url}."""
    edges = {}
    for item in text.split(","):
        region, _, url = item.partition("=")
        if not (region and url.startswith("http://")):
            raise ValueError(f"--edges: expected REGION=http://HOST:PORT, got {item!r}")
        edges[region] = url.rstrip("/")
    return edges


def main() -> None:
    parser = component.base_parser("router")
    parser.add_argument("--edges", required=True, help="REGION=URL,... in fallback order")
    parser.add_argument("--check-interval", type=float, default=0.5)
    parser.add_argument("--fail-after", type=int, default=3)
    parser.add_argument("--sabotage", action="append", default=[])
    args = parser.parse_args()
    registry = CollectorRegistry()
    router = Router(
        parse_edges(args.edges), args.fail_after, "no-region-reroute" not in args.sabotage, registry
    )
    app = web.Application(middlewares=[component.errors_as_json])
    app.router.add_get("/route", router.route)
    app.router.add_get("/regions", router.status)
    component.add_health_and_metrics(app, registry)
    asyncio.run(
        component.serve(app, args, background=lambda: router.check_forever(args.check_interval))
    )


if __name__ == "__main__":
    main()
