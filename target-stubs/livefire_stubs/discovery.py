"""Live-stream discovery: creators register live streams, viewers search them.

`python -m livefire_stubs.discovery --ready-file F --sentinel H:P[,H:P..] [--port 0]
[--stream-ttl 30] [--sabotage no-replica-reads]`

    PUT    /streams/{id}  body {"title": str, "creator"?: str, "tags"?: [str], "region"?: str}
                          → 200 the stream; it is live for --stream-ttl seconds: re-PUT to renew.
    DELETE /streams/{id}  → 200 {"id", "live": false}
    GET    /search?q=TEXT&limit=N (default 20, max 200) → {"q", "count", "results": [stream]};
                          every word of q must appear (case-insensitively) in the stream's id,
                          title, creator, tags or region; an empty q lists live streams.

Stored in Redis, so any process may register streams without this API: a stream is live while
the hash `lf:stream:{id}` exists (fields `title`, `creator`, `region`, `tags` as a JSON list) and
the sorted set `lf:streams:live` holds `id` scored by its expiry in Unix seconds. Searches read
through Store.read, so they keep working on a replica while the primary is unreachable.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CollectorRegistry, Histogram
from redis.asyncio import Redis

from livefire_stubs.component import (
    add_health_and_metrics,
    base_parser,
    errors_as_json,
    json_error,
    serve,
)
from livefire_stubs.sabotage import add_sabotage_arg
from livefire_stubs.store import UNAVAILABLE, Store, add_redis_args, store_from_args

LIVE = "lf:streams:live"
MAX_SCAN = 5000
STORE = web.AppKey("store", Store)
TTL = web.AppKey("ttl", float)
LATENCY = web.AppKey("latency", Histogram)


def parse_stream(stream_id: str, body: Any) -> dict[str, str]:
    """A PUT body → the hash fields stored, or ValueError naming the bad field."""
    if len(stream_id) > 200:
        raise ValueError("id: expected at most 200 characters")
    if not isinstance(body, dict):
        raise ValueError("body: expected a JSON object {title, creator?, tags?, region?}")
    title = body.get("title")
    if not isinstance(title, str) or not title or len(title) > 300:
        raise ValueError("title: expected a non-empty string of at most 300")
    tags = body.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags) or len(tags) > 50:
        raise ValueError("tags: expected a list of at most 50 strings")
    fields = {"id": stream_id, "title": title, "tags": json.dumps(tags)}
    for key in ("creator", "region"):
        value = body.get(key, "")
        if not isinstance(value, str) or len(value) > 200:
            raise ValueError(f"{key}: expected a string of at most 200")
        fields[key] = value
    return fields


def matches(words: list[str], stream: dict[str, Any]) -> bool:
    text = " ".join([stream["id"], stream["title"], stream["creator"], stream["region"]])
    text = (text + " " + " ".join(stream["tags"])).lower()
    return all(word in text for word in words)


def decode(data: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {k: data.get(k, "") for k in ("id", "title", "creator", "region")}
    out["tags"] = json.loads(data.get("tags") or "[]")
    return out


async def put_stream(request: web.Request) -> web.Response:
    stream_id = request.match_info["id"]
    try:
        fields = parse_stream(stream_id, await request.json())
    except ValueError as exc:  # JSONDecodeError is a ValueError too
        return json_error(400, str(exc))
    ttl = request.app[TTL]
    primary = request.app[STORE].primary
    async with primary.pipeline(transaction=True) as pipe:
        pipe.hset(f"lf:stream:{stream_id}", mapping=dict[Any, Any](fields))
        pipe.expire(f"lf:stream:{stream_id}", int(ttl) + 1)
        pipe.zadd(LIVE, {stream_id: time.time() + ttl})
        pipe.zremrangebyscore(LIVE, "-inf", time.time())
        await pipe.execute()
    return web.json_response(decode(fields))


async def delete_stream(request: web.Request) -> web.Response:
    stream_id = request.match_info["id"]
    primary = request.app[STORE].primary
    async with primary.pipeline(transaction=True) as pipe:
        pipe.delete(f"lf:stream:{stream_id}")
        pipe.zrem(LIVE, stream_id)
        await pipe.execute()
    return web.json_response({"id": stream_id, "live": False})


async def live_streams(redis: Redis) -> list[dict[str, Any]]:
    ids: Any = await redis.zrangebyscore(LIVE, time.time(), "+inf", start=0, num=MAX_SCAN)
    async with redis.pipeline(transaction=False) as pipe:
        for stream_id in ids:
            pipe.hgetall(f"lf:stream:{stream_id}")
        rows = await pipe.execute() if ids else []
    return [decode(row) for row in rows if row]


async def search(request: web.Request) -> web.Response:
    started = time.perf_counter()
    q = request.query.get("q", "")
    raw_limit = request.query.get("limit", "20")
    if len(q) > 200 or not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 200:
        return json_error(400, "q: at most 200 chars; limit: an integer from 1 to 200")
    words = q.lower().split()
    streams = await request.app[STORE].read(live_streams)
    results = sorted((s for s in streams if matches(words, s)), key=lambda s: s["id"])
    results = results[: int(raw_limit)]
    request.app[LATENCY].observe(time.perf_counter() - started)
    return web.json_response({"q": q, "count": len(results), "results": results})


@web.middleware
async def redis_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except UNAVAILABLE as exc:
        return json_error(503, f"stream directory unavailable: {exc}")


async def main() -> None:
    parser = base_parser("discovery")
    parser.add_argument("--stream-ttl", type=float, default=30.0, help="seconds a PUT lasts")
    add_redis_args(parser)
    add_sabotage_arg(parser)
    args = parser.parse_args()
    store = store_from_args(args)
    registry = CollectorRegistry()
    app = web.Application(middlewares=[errors_as_json, redis_errors])
    app[STORE] = store
    app[TTL] = max(1.0, args.stream_ttl)
    app[LATENCY] = Histogram("discovery_search_seconds", "GET /search", registry=registry)
    add_health_and_metrics(app, registry)
    app.router.add_put("/streams/{id}", put_stream)
    app.router.add_delete("/streams/{id}", delete_stream)
    app.router.add_get("/search", search)
    try:
        await serve(app, args)
    finally:
        await store.aclose()


if __name__ == "__main__":
    asyncio.run(main())
