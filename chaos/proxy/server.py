"""The fault proxy server: API + proxies on one event loop, in-process or in a thread.

    async with ProxyServer(port=0) as server:      # in a running loop
        server.url                                 # http://127.0.0.1:PORT

    with ProxyServerThread(port=0) as server:      # from sync code (tests, launcher)
        server.url

`start()` returns once the API and every configured proxy listen; a proxy that cannot listen
makes `start()` raise ProxyError (nothing is left running).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from types import TracebackType

from aiohttp import web

from chaos.proxy.address import is_loopback, join_address
from chaos.proxy.api import build_app
from chaos.proxy.collection import ProxyCollection
from chaos.proxy.errors import ApiError, ProxyError
from chaos.proxy.spec import DEFAULT_LISTEN, ProxySpec

STOP_TIMEOUT = 10.0
"""Seconds a thread-hosted server has to stop before `stop()` gives up waiting."""


class ProxyServer:
    """Toxiproxy-compatible API on `host:port` (0 picks a free port) and its proxies."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        proxies: Sequence[ProxySpec] = (),
        token: str | None = None,
        allow_remote: bool = False,
    ) -> None:
        if not allow_remote and not is_loopback(host):
            raise ProxyError(
                f"API address {host!r} is not loopback; pass --allow-remote to listen on it"
            )
        self.host = host
        self.port = port
        self.token = token
        self.initial = tuple(proxies)
        self.collection = ProxyCollection(allow_remote=allow_remote)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The API's base URL, e.g. http://127.0.0.1:8474 (real port once started)."""
        return f"http://{join_address(self.host, self.port)}"

    async def start(self) -> None:
        app = build_app(self.collection, self.token)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        self._runner = runner
        try:
            site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            for spec in self.initial:
                await self.collection.add(spec)
        except ApiError as exc:
            await self.close()
            raise ProxyError(f"proxy {spec.name!r}: {exc.message}") from None
        except OSError as exc:
            await self.close()
            raise ProxyError(f"API {self.url}: {exc.strerror or exc}") from None

    async def add_proxy(self, name: str, upstream: str, listen: str = DEFAULT_LISTEN) -> str:
        """Create and start a proxy without going through HTTP; return its real listen address."""
        proxy = await self.collection.add(ProxySpec(name, listen, upstream))
        return proxy.listen

    async def close(self) -> None:
        """Stop every proxy (dropping its connections), then the API."""
        await self.collection.close()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> ProxyServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class ProxyServerThread:
    """A ProxyServer on its own event loop in a daemon thread, for sync callers."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        proxies: Sequence[ProxySpec] = (),
        token: str | None = None,
        allow_remote: bool = False,
    ) -> None:
        self.server = ProxyServer(
            host, port, proxies=proxies, token=token, allow_remote=allow_remote
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def start(self, timeout: float = STOP_TIMEOUT) -> None:
        """Return once the server listens; raise what made it fail to start."""
        started = threading.Event()
        failure: list[BaseException] = []

        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            try:
                await self.server.start()
            except BaseException as exc:
                failure.append(exc)
                started.set()
                return
            started.set()
            try:
                await self._stop.wait()
            finally:
                await self.server.close()

        self._thread = threading.Thread(
            target=asyncio.run, args=(main(),), name="livefire-proxy", daemon=True
        )
        self._thread.start()
        if not started.wait(timeout):
            raise ProxyError(f"proxy server did not start within {timeout} s")
        if failure:
            self._thread.join(timeout)
            raise failure[0]

    def add_proxy(self, name: str, upstream: str, listen: str = DEFAULT_LISTEN) -> str:
        """ProxyServer.add_proxy, from another thread; raises what it raises."""
        if self._loop is None:
            raise ProxyError("the proxy server thread is not running")
        coro = self.server.add_proxy(name, upstream, listen)
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(STOP_TIMEOUT)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> ProxyServerThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
