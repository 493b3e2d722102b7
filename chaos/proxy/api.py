"""Toxiproxy's HTTP API over a ProxyCollection, as an aiohttp application.

Routes, status codes and bodies follow Toxiproxy (api.go): 201 on proxy create and populate,
200 on toxic create (Toxiproxy's clients expect it), 204 on delete and reset, errors from the
`Err` table as `{"error", "status"}`. Additions: `GET /healthz` (200 JSON, as every platform
component serves), and for safety an optional token required on every mutating call, and
browsers refused (as Toxiproxy does) so a web page cannot drive it.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from chaos.proxy.collection import ProxyCollection
from chaos.proxy.errors import ApiError, Err
from chaos.proxy.metrics import build_registry
from chaos.proxy.spec import decode_json, parse_proxy, parse_proxy_update, parse_toxic

VERSION = "2.12.0+livefire"
"""Toxiproxy API version this server speaks (semver build metadata names the implementation)."""
MUTATING = frozenset({"POST", "PATCH", "PUT", "DELETE"})
log = logging.getLogger(__name__)
COLLECTION: web.AppKey[ProxyCollection] = web.AppKey("collection", ProxyCollection)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.status)


def guard(token: str | None) -> Any:
    """Middleware: browsers refused, token checked, every failure answered as JSON."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            if request.headers.get("User-Agent", "").startswith("Mozilla/"):
                raise ApiError(Err.BROWSER_FORBIDDEN)
            if token and request.method in MUTATING and not _authorized(request, token):
                raise ApiError(Err.UNAUTHORIZED)
            return await handler(request)
        except ApiError as exc:
            return error_response(exc)
        except web.HTTPNotFound:
            return error_response(ApiError(Err.ROUTE_NOT_FOUND, request.path))
        except web.HTTPMethodNotAllowed:
            return error_response(ApiError(Err.METHOD_NOT_ALLOWED, request.method))
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return web.json_response({"error": exc.reason, "status": exc.status}, status=exc.status)
        except Exception as exc:  # a bug must cost one request, never the server
            log.exception("API %s %s failed", request.method, request.path)
            return error_response(ApiError(Err.INTERNAL, type(exc).__name__))

    return middleware


def _authorized(request: web.Request, token: str) -> bool:
    bearer = request.headers.get("Authorization", "")
    given = bearer[7:] if bearer.startswith("Bearer ") else request.headers.get("X-Livefire-Token")
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


async def read_json(request: web.Request) -> Any:
    raw = await request.read()
    if not raw.strip():
        raise ApiError(Err.BAD_REQUEST_BODY, "EOF")
    try:
        return decode_json(raw)
    except ValueError as exc:
        raise ApiError(Err.BAD_REQUEST_BODY, str(exc)) from None


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


def build_app(collection: ProxyCollection, token: str | None = None) -> web.Application:
    """The API application; the caller runs it (see chaos.proxy.server)."""
    app = web.Application(middlewares=[guard(token)], client_max_size=1 << 20)
    app[COLLECTION] = collection
    registry = build_registry(collection)

    async def version(_: web.Request) -> web.Response:
        return _json({"version": VERSION})

    async def healthz(_: web.Request) -> web.Response:
        # Every component of the platform answers /healthz; launchers poll it the same way.
        return _json({"status": "ok", "proxies": len(collection.proxies)})

    async def metrics(_: web.Request) -> web.Response:
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/version", version)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    _add_proxy_routes(app.router, collection)
    _add_toxic_routes(app.router, collection)
    return app


def _add_proxy_routes(router: web.UrlDispatcher, collection: ProxyCollection) -> None:
    async def index(_: web.Request) -> web.Response:
        return _json({name: p.to_json() for name, p in collection.proxies.items()})

    async def create(request: web.Request) -> web.Response:
        proxy = await collection.add(parse_proxy(await read_json(request)))
        return _json(proxy.to_json(), 201)

    async def populate(request: web.Request) -> web.Response:
        body = await read_json(request)
        if not isinstance(body, list):
            raise ApiError(Err.BAD_REQUEST_BODY, f"expected a JSON list of proxies, got {body!r}")
        specs = [parse_proxy(item, f"proxy {i + 1}: ") for i, item in enumerate(body)]
        proxies = await collection.populate(specs)
        return _json({"proxies": [p.to_json() for p in proxies]}, 201)

    async def show(request: web.Request) -> web.Response:
        return _json(collection.get(request.match_info["proxy"]).to_json())

    async def update(request: web.Request) -> web.Response:
        proxy = collection.get(request.match_info["proxy"])
        await proxy.update(parse_proxy_update(await read_json(request), proxy.spec()))
        return _json(proxy.to_json())

    async def delete(request: web.Request) -> web.Response:
        await collection.remove(request.match_info["proxy"])
        return web.Response(status=204)

    async def reset(_: web.Request) -> web.Response:
        await collection.reset()
        return web.Response(status=204)

    router.add_get("/proxies", index)
    router.add_post("/proxies", create)
    router.add_post("/populate", populate)
    router.add_post("/reset", reset)
    router.add_get("/proxies/{proxy}", show)
    router.add_post("/proxies/{proxy}", update)
    router.add_patch("/proxies/{proxy}", update)
    router.add_delete("/proxies/{proxy}", delete)


def _add_toxic_routes(router: web.UrlDispatcher, collection: ProxyCollection) -> None:
    def proxy_of(request: web.Request) -> Any:
        return collection.get(request.match_info["proxy"])

    async def index(request: web.Request) -> web.Response:
        return _json(proxy_of(request).toxics_json())

    async def create(request: web.Request) -> web.Response:
        proxy = proxy_of(request)
        return _json(proxy.add_toxic(parse_toxic(await read_json(request))).to_json())

    async def show(request: web.Request) -> web.Response:
        return _json(proxy_of(request).get_toxic(request.match_info["toxic"]).to_json())

    async def update(request: web.Request) -> web.Response:
        proxy = proxy_of(request)
        body = await read_json(request)
        return _json(proxy.update_toxic(request.match_info["toxic"], body).to_json())

    async def delete(request: web.Request) -> web.Response:
        proxy_of(request).remove_toxic(request.match_info["toxic"])
        return web.Response(status=204)

    base = "/proxies/{proxy}/toxics"
    router.add_get(base, index)
    router.add_post(base, create)
    router.add_get(base + "/{toxic}", show)
    router.add_post(base + "/{toxic}", update)
    router.add_patch(base + "/{toxic}", update)
    router.add_delete(base + "/{toxic}", delete)
