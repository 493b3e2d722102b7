"""Every proxy of a server, by name: create, replace, remove, reset."""

from __future__ import annotations

from collections.abc import Sequence

from chaos.proxy.address import check_listen
from chaos.proxy.errors import ApiError, Err
from chaos.proxy.proxy import Proxy
from chaos.proxy.spec import ProxySpec


class ProxyCollection:
    """The proxies of one server; `allow_remote` lets listen addresses leave loopback."""

    def __init__(self, allow_remote: bool = False) -> None:
        self.allow_remote = allow_remote
        self.proxies: dict[str, Proxy] = {}

    def get(self, name: str) -> Proxy:
        try:
            return self.proxies[name]
        except KeyError:
            raise ApiError(Err.PROXY_NOT_FOUND, name) from None

    async def add(self, spec: ProxySpec) -> Proxy:
        """Create a proxy (409 if the name is taken) and start it if enabled."""
        if spec.name in self.proxies:
            raise ApiError(Err.PROXY_EXISTS, spec.name)
        proxy = Proxy(spec, self.allow_remote)
        self.proxies[spec.name] = proxy
        if spec.enabled:
            try:
                await proxy.start()
            except BaseException:
                self.proxies.pop(spec.name, None)
                raise
        return proxy

    async def remove(self, name: str) -> None:
        proxy = self.get(name)
        del self.proxies[name]
        await proxy.stop()

    async def populate(self, specs: Sequence[ProxySpec]) -> list[Proxy]:
        """Create or replace proxies; the whole list is checked before anything changes.

        A proxy whose listen and upstream are unchanged is kept as is, with its toxics.
        """
        seen: set[str] = set()
        for spec in specs:
            if spec.name in seen:
                raise ApiError(Err.BAD_REQUEST_BODY, f"duplicate proxy name {spec.name!r}")
            seen.add(spec.name)
            if spec.enabled:
                check_listen(spec.listen, self.allow_remote)
        result = []
        for spec in specs:
            existing = self.proxies.get(spec.name)
            if existing is not None:
                if existing.listen == spec.listen and existing.upstream == spec.upstream:
                    result.append(existing)
                    continue
                await self.remove(spec.name)
            result.append(await self.add(spec))
        return result

    async def reset(self) -> None:
        """Remove every toxic, then enable every proxy, even when one cannot listen.

        Toxiproxy stops at the first proxy that fails to start, leaving the later ones with
        their toxics; here every proxy is reset and one LISTEN_FAILED (500) names those
        still down, so a caller's "undo everything" undoes all it can.
        """
        proxies = list(self.proxies.values())
        for proxy in proxies:
            proxy.reset_toxics()
        failed = []
        for proxy in proxies:
            try:
                await proxy.start()
            except ApiError as exc:
                why = exc.detail if exc.kind is Err.LISTEN_FAILED else exc.message
                failed.append(f"proxy {proxy.name!r} ({why})")
        if failed:
            raise ApiError(Err.LISTEN_FAILED, "; ".join(failed))

    async def close(self) -> None:
        for name in list(self.proxies):
            await self.remove(name)
