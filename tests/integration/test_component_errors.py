"""errors_as_json: HTTP errors and unexpected crashes both answer JSON, and the server lives."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web
from livefire_stubs.component import errors_as_json

pytestmark = pytest.mark.integration


async def crash(_: web.Request) -> web.Response:
    raise RuntimeError("a bug")


def test_errors_answer_json() -> None:
    async def scenario() -> None:
        app = web.Application(middlewares=[errors_as_json])
        app.router.add_get("/crash", crash)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
                for path, status in (("/crash", 500), ("/nowhere", 404), ("/crash", 500)):
                    async with http.get(path) as resp:
                        body = await resp.json()
                        assert (resp.status, body["status"]) == (status, status)
                        assert body["error"]
        finally:
            await runner.cleanup()

    asyncio.run(scenario())
