"""A named proxy: a listener whose connections are forwarded to `upstream` through toxics."""

from __future__ import annotations

import asyncio
from typing import Any

from chaos.proxy.address import check_listen, join_address
from chaos.proxy.connection import Connection
from chaos.proxy.errors import ApiError, Err
from chaos.proxy.spec import ProxySpec, Stream, ToxicSpec, parse_toxic_update


class Proxy:
    """Listens while enabled; disabling drops its connections and stops listening."""

    def __init__(self, spec: ProxySpec, allow_remote: bool = False) -> None:
        self.name = spec.name
        self.listen = spec.listen
        self.upstream = spec.upstream
        self.enabled = False
        self.allow_remote = allow_remote
        self.toxics: dict[str, ToxicSpec] = {}
        self.connections: set[Connection] = set()
        self.stats = ([0, 0], [0, 0])  # per Stream: [received, sent] bytes
        self._chains: tuple[tuple[ToxicSpec, ...], ...] = ((), ())
        self._server: asyncio.Server | None = None

    def spec(self) -> ProxySpec:
        return ProxySpec(self.name, self.listen, self.upstream, self.enabled)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "listen": self.listen,
            "upstream": self.upstream,
            "enabled": self.enabled,
            "toxics": self.toxics_json(),
        }

    def toxics_json(self) -> list[dict[str, Any]]:
        return [toxic.to_json() for stream in Stream for toxic in self._chains[stream]]

    def chain(self, stream: Stream) -> tuple[ToxicSpec, ...]:
        return self._chains[stream]

    async def start(self) -> None:
        """Listen (port 0 picks a free port, shown in `listen` afterwards)."""
        if self.enabled:
            return
        host, port = check_listen(self.listen, self.allow_remote)
        loop = asyncio.get_running_loop()
        try:
            server = await loop.create_server(
                lambda: Connection(self).client, host, port, reuse_address=True
            )
        except OSError as exc:
            raise ApiError(Err.LISTEN_FAILED, f"{self.listen}: {exc.strerror or exc}") from None
        self._server = server
        bound = server.sockets[0].getsockname()
        self.listen = join_address(bound[0], bound[1])
        self.enabled = True

    async def stop(self) -> None:
        """Stop listening and drop every open connection."""
        server, self._server = self._server, None
        self.enabled = False
        if server is not None:
            server.close()
        for conn in list(self.connections):
            conn.abort()

    async def update(self, spec: ProxySpec) -> None:
        """Apply a new listen/upstream (restarting) and enabled state, as Toxiproxy does."""
        if spec.listen != self.listen or spec.upstream != self.upstream:
            check_listen(spec.listen, self.allow_remote)
            was_enabled = self.enabled
            await self.stop()
            self.listen, self.upstream = spec.listen, spec.upstream
            if was_enabled and spec.enabled:
                await self.start()
        if spec.enabled and not self.enabled:
            await self.start()
        elif not spec.enabled and self.enabled:
            await self.stop()

    def add_toxic(self, toxic: ToxicSpec) -> ToxicSpec:
        if toxic.name in self.toxics:
            raise ApiError(Err.TOXIC_EXISTS, toxic.name)
        self.toxics[toxic.name] = toxic
        self._changed(toxic.stream)
        return toxic

    def get_toxic(self, name: str) -> ToxicSpec:
        try:
            return self.toxics[name]
        except KeyError:
            raise ApiError(Err.TOXIC_NOT_FOUND, name) from None

    def update_toxic(self, name: str, body: Any) -> ToxicSpec:
        toxic = parse_toxic_update(body, self.get_toxic(name))
        self.toxics[name] = toxic
        self._changed(toxic.stream)
        return toxic

    def remove_toxic(self, name: str) -> None:
        toxic = self.get_toxic(name)
        del self.toxics[name]
        self._changed(toxic.stream)

    def reset_toxics(self) -> None:
        self.toxics.clear()
        for stream in Stream:
            self._changed(stream)

    def _changed(self, stream: Stream) -> None:
        """Recompute the stream's chain and hand it to every open connection."""
        chain = tuple(t for t in self.toxics.values() if t.stream is stream)
        chains = list(self._chains)
        chains[stream] = chain
        self._chains = tuple(chains)
        for conn in list(self.connections):
            if conn.ready:
                conn.links[stream].sync(chain)
