"""A tipping and discovery API that is not livefire's: other paths, other bodies, another
success status, another ledger shape, and a bearer token on every request. What livefire's
gift and search templates must be able to speak (written apart from the reference platform,
sharing none of its code).

    PUT  /v1/tips                 form or JSON {"channel", "from", "cents"}, X-Request-Id
                                  → 201 {"tip": {"ref": "tip-N"}} (the same ref again for a
                                  request id already seen: booked once)
    GET  /v1/tips/applied         ?cursor=&page_size= → {"data": {"rows": [{"request_id",
                                  "booked_ms", "cents"}]}, "cursor": {"next": "N" | null}}
    GET  /api/v2/streams          ?query= → {"results": [{"id": ...}]} (empty for an unknown query)
    GET  /v1/_stats               what it was asked: tips by content type and by whether they
                                  carried the cookie a tip sets, queries, unbooked

Every request needs `Authorization: Bearer $FOREIGN_TOKEN` (401 otherwise). With
FOREIGN_UNBOOKED_EVERY=N every N-th new tip is acknowledged but never booked (the negative
control: gifts lost). Run as a subprocess; prints "port N", exits when stdin closes.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import sys
import time

from aiohttp import web

TOKEN = os.environ.get("FOREIGN_TOKEN", "foreign-token")
UNBOOKED_EVERY = int(os.environ.get("FOREIGN_UNBOOKED_EVERY", "0"))
STREAMS = {"live": ["live1"], "concert": ["live1", "live2"]}  # query → streams found

tips: dict[str, str] = {}  # request id → ref
booked: list[dict[str, object]] = []  # the ledger, in booking order
unbooked: list[str] = []
asked: dict[str, collections.Counter[str]] = {
    "content_types": collections.Counter(),
    "queries": collections.Counter(),
    "cookies": collections.Counter(),  # tips that carried the cookie a first tip was given
}


@web.middleware
async def bearer(request: web.Request, handler: object) -> web.StreamResponse:
    if request.headers.get("Authorization") != f"Bearer {TOKEN}":
        return web.json_response({"error": "unauthorized"}, status=401)
    return await handler(request)  # type: ignore[operator,no-any-return]


async def put_tip(request: web.Request) -> web.Response:
    request_id = request.headers.get("X-Request-Id")
    if not request_id:
        return web.json_response({"error": "X-Request-Id is required"}, status=400)
    kind = request.content_type
    if kind == "application/json":
        fields = json.loads(await request.text())
    elif kind == "application/x-www-form-urlencoded":
        fields = dict(await request.post())
    else:
        return web.json_response({"error": f"unsupported content type {kind}"}, status=415)
    try:
        cents, channel, sender = int(fields["cents"]), str(fields["channel"]), str(fields["from"])
    except (KeyError, ValueError) as exc:
        return web.json_response({"error": f"bad tip: {exc}"}, status=422)
    asked["content_types"][kind] += 1
    asked["cookies"]["with" if request.cookies.get("tipper") else "without"] += 1
    if request_id not in tips:
        tips[request_id] = f"tip-{len(tips) + 1}"
        if UNBOOKED_EVERY and len(tips) % UNBOOKED_EVERY == 0:
            unbooked.append(request_id)
        else:
            row = {"request_id": request_id, "booked_ms": int(time.time() * 1000)}
            booked.append(row | {"cents": cents, "channel": channel, "from": sender})
    answer = web.json_response({"tip": {"ref": tips[request_id]}}, status=201)
    if "tipper" not in request.cookies:
        answer.set_cookie("tipper", "1")  # a client that keeps cookies sends it back
    return answer


async def applied(request: web.Request) -> web.Response:
    start = int(request.query.get("cursor") or 0)
    size = int(request.query.get("page_size", "100"))
    rows = booked[start : start + size]
    more = start + size < len(booked)
    return web.json_response(
        {"data": {"rows": rows}, "cursor": {"next": str(start + size) if more else None}}
    )


async def streams(request: web.Request) -> web.Response:
    query = request.query.get("query", "")
    asked["queries"][query] += 1
    return web.json_response({"results": [{"id": s} for s in STREAMS.get(query, [])]})


async def stats(request: web.Request) -> web.Response:
    return web.json_response({**asked, "tips": len(tips), "unbooked": unbooked})


async def main() -> None:
    app = web.Application(middlewares=[bearer])
    app.router.add_put("/v1/tips", put_tip)
    app.router.add_get("/v1/tips/applied", applied)
    app.router.add_get("/api/v2/streams", streams)
    app.router.add_get("/v1/_stats", stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"port {site._server.sockets[0].getsockname()[1]}", flush=True)  # type: ignore[union-attr]
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
