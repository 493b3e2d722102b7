"""What every platform component process shares: its ready file, health and metrics.

A component is started as `python -m livefire_stubs.<name> --ready-file PATH ...`. It binds
127.0.0.1 on the given port (0 picks a free one), then writes PATH atomically as JSON
(`{"name", "pid", "url", ...}`); the launcher waits for that file, so a component is never
used before it listens. SIGTERM and SIGINT stop it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

log = logging.getLogger(__name__)


def base_parser(name: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m livefire_stubs.{name}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--name", default=name, help="instance name, e.g. edge-apac")
    return parser


def write_ready_file(path: Path, info: dict[str, Any]) -> None:
    """Write the ready file atomically, so a reader never sees half of it."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(info))
    os.replace(tmp, path)


def add_health_and_metrics(app: web.Application, registry: CollectorRegistry) -> None:
    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def metrics(_: web.Request) -> web.Response:
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)


def json_error(status: int, message: str) -> web.Response:
    """Every error a component answers: a 4xx/5xx with a JSON body naming what is wrong."""
    return web.json_response({"error": message, "status": status}, status=status)


@web.middleware
async def errors_as_json(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Turn aiohttp's HTML error pages into JSON bodies; unexpected crashes become 500 JSON."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return json_error(exc.status, exc.reason)
    except Exception as exc:  # a bug must still answer JSON, and never take the process down
        log.exception("%s %s failed", request.method, request.path)
        return json_error(500, f"internal error: {type(exc).__name__}; see the component log")


async def serve(
    app: web.Application,
    args: argparse.Namespace,
    extra: dict[str, Any] | None = None,
    background: Callable[[], Coroutine[Any, Any, None]] | None = None,
    listening: Callable[[str], None] | None = None,
) -> None:
    """Run `app` until SIGTERM/SIGINT; write the ready file once it listens. `listening`
    gets the bound URL before `background` starts."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port, reuse_address=True)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    info = {"name": args.name, "pid": os.getpid(), "url": f"http://{args.host}:{port}"}
    if listening:  # e.g. a node that advertises its own URL
        listening(info["url"])
    task = asyncio.create_task(background()) if background else None
    write_ready_file(args.ready_file, info | (extra or {}))
    try:
        await stop.wait()
    finally:
        if task:
            task.cancel()
        await runner.cleanup()
