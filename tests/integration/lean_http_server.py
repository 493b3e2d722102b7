"""Loopback servers for the lean HTTP client's tests, run in a subprocess.

An aiohttp app (well-behaved HTTP/1.1) and a raw asyncio server (the misbehaviours aiohttp will
not produce). Prints "ports AIOHTTP_PORT RAW_PORT" once both listen; exits when stdin closes.
Every response carries X-Peer-Port: the client's TCP source port, to count connections.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import sys

from aiohttp import web

KEEPALIVE_TIMEOUT = 0.5
"""Seconds an idle keep-alive connection survives on the aiohttp server."""


def _peer(request: web.Request) -> dict[str, str]:
    assert request.transport is not None
    return {"X-Peer-Port": str(request.transport.get_extra_info("peername")[1])}


async def sized(request: web.Request) -> web.Response:
    size = int(request.match_info["size"])
    return web.Response(body=bytes(i % 251 for i in range(size)), headers=_peer(request))


async def chunked(request: web.Request) -> web.StreamResponse:
    size = int(request.match_info["size"])
    response = web.StreamResponse(headers=_peer(request))
    response.enable_chunked_encoding()
    await response.prepare(request)
    body = bytes(i % 251 for i in range(size))
    for start in range(0, size, 7000):
        await response.write(body[start : start + 7000])
    await response.write_eof()
    return response


async def delay(request: web.Request) -> web.Response:
    await asyncio.sleep(int(request.match_info["ms"]) / 1000)
    return web.Response(text="late", headers=_peer(request))


async def close(request: web.Request) -> web.Response:
    response = web.Response(text="bye", headers=_peer(request))
    response.force_close()
    return response


async def status(request: web.Request) -> web.Response:
    return web.Response(status=int(request.match_info["code"]), headers=_peer(request))


async def echo(request: web.Request) -> web.Response:
    lines = [f"{name}: {value}" for name, value in request.headers.items()]
    return web.Response(text="\n".join(lines), headers=_peer(request))


RAW = {
    b"/eof-body": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil-close",
    b"/truncated": b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly-a-little",
    b"/garbage": b"SMTP ready\r\n\r\n",
}


async def raw(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Misbehaving server: answers by path, then closes, resets or says nothing."""
    request = await reader.readuntil(b"\r\n\r\n")
    path = request.split(b" ", 2)[1]
    if path == b"/silent":
        await reader.read()  # never answer; wait for the client to give up
    elif path == b"/reset":
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    else:
        writer.write(RAW[path])
        await writer.drain()
    writer.close()


def make_app() -> web.Application:
    """The well-behaved server's routes (also served over TLS by lean_https_server.py)."""
    app = web.Application()
    app.router.add_get("/bytes/{size}", sized)
    app.router.add_get("/chunked/{size}", chunked)
    app.router.add_get("/delay/{ms}", delay)
    app.router.add_get("/close", close)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/echo", echo)
    return app


async def main() -> None:
    app = make_app()
    runner = web.AppRunner(app, keepalive_timeout=KEEPALIVE_TIMEOUT, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    raw_server = await asyncio.start_server(raw, "127.0.0.1", 0)
    http_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    raw_port = raw_server.sockets[0].getsockname()[1]
    print(f"ports {http_port} {raw_port}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    raw_server.close()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
