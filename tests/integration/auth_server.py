"""A loopback API that wants a login: tokens from POST /login, a cookie from GET /private,
revocation on POST /revoke, and GET /search answering only requests that carry a valid token
and the headers AUTH_EXPECT (JSON: name → value) names. Users come from AUTH_USERS (JSON:
name → password) and tokens start with AUTH_TOKEN_PREFIX, so a test can plant canaries in
both. Run as a subprocess; prints "port N", exits when stdin closes."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys

from aiohttp import web

USERS = json.loads(os.environ.get("AUTH_USERS", '{"alice": "wonder", "bob": "builder"}'))
EXPECT = json.loads(os.environ.get("AUTH_EXPECT", "{}"))
PREFIX = os.environ.get("AUTH_TOKEN_PREFIX", "tok")
tokens: dict[str, str] = {}  # valid token → user
logins = itertools.count(1)


async def login(request: web.Request) -> web.Response:
    body = json.loads(await request.text())
    if USERS.get(body.get("user")) != body.get("password"):
        return web.json_response({"error": "bad credentials"}, status=403)
    token = f"{PREFIX}-{body['user']}-{next(logins)}"
    tokens[token] = body["user"]
    return web.json_response({"auth": {"access_token": token}})


async def private(request: web.Request) -> web.Response:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or token not in tokens:
        return web.json_response({"error": "unauthorized"}, status=401)
    response = web.json_response(
        {
            "user": tokens[token],
            "token": token,
            "cookie": request.cookies.get("session"),
            "team": request.headers.get("X-Team"),
        }
    )
    if "session" not in request.cookies:
        response.set_cookie("session", f"s-{tokens[token]}")
    return response


async def search(request: web.Request) -> web.Response:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or token not in tokens:
        return web.json_response({"error": "unauthorized"}, status=401)
    wrong = [name for name, value in EXPECT.items() if request.headers.get(name) != value]
    if wrong:
        return web.json_response({"error": f"wrong or missing {', '.join(wrong)}"}, status=403)
    return web.json_response({"streams": ["live1"]})


async def revoke(request: web.Request) -> web.Response:
    tokens.clear()
    return web.json_response({"revoked": True})


async def main() -> None:
    app = web.Application()
    app.router.add_post("/login", login)
    app.router.add_get("/private", private)
    app.router.add_post("/revoke", revoke)
    app.router.add_get("/search", search)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"port {site._server.sockets[0].getsockname()[1]}", flush=True)  # type: ignore[union-attr]
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
