"""Small HTTP servers for chaos tests: aiohttp apps in a thread on 127.0.0.1 port 0."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
from aiohttp import web

JOIN_TIMEOUT = 10.0


@contextmanager
def serving(app: web.Application) -> Iterator[str]:
    """Serve `app`; yield its base URL; stop it (cancelling hung handlers) on exit."""
    ready = threading.Event()
    state: dict[str, Any] = {}

    async def main() -> None:
        runner = web.AppRunner(app, shutdown_timeout=0.2)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        state.update(url=f"http://127.0.0.1:{port}", stop=asyncio.Event())
        state["loop"] = asyncio.get_running_loop()
        ready.set()
        await state["stop"].wait()
        await runner.cleanup()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(JOIN_TIMEOUT)
    try:
        yield state["url"]
    finally:
        state["loop"].call_soon_threadsafe(state["stop"].set)
        thread.join(JOIN_TIMEOUT)


def hung_app() -> web.Application:
    """Accepts every request and never answers."""

    async def never(_: web.Request) -> web.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", never)
    return app


def front_app(upstream: str, hang: str) -> web.Application:
    """Forwards every request to `upstream`, except that `hang` requests never answer.

    `hang` is "METHOD substring", e.g. "DELETE /toxics/": a fault API whose revert is stuck
    while the rest of it works, so the driver's fallback can succeed.
    """
    method, part = hang.split(" ", 1)

    async def forward(request: web.Request) -> web.Response:
        if request.method == method and part in request.path:
            await asyncio.Event().wait()
        body = await request.read()
        async with (
            aiohttp.ClientSession() as session,
            session.request(request.method, upstream + request.path_qs, data=body) as reply,
        ):
            data = await reply.read()
            return web.Response(status=reply.status, body=data, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def recorder_app(calls: list[dict[str, Any]], fail_first: int = 0) -> web.Application:
    """Records every call (method, path, JSON body, headers); the first `fail_first` get 503."""

    async def record(request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        calls.append(
            {
                "method": request.method,
                "path": request.path,
                "json": body,
                "headers": dict(request.headers),
            }
        )
        if len(calls) <= fail_first:
            return web.json_response({"error": "busy"}, status=503)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    return app
