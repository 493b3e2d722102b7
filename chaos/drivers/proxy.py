"""Proxy drivers: a Toxiproxy toxic, or a disabled proxy (black-hole), over Toxiproxy's HTTP API.

They speak the documented API only, so the same driver works against livefire's embedded
proxy and a real Toxiproxy in staging. Every call is bounded by a timeout; a revert that finds
nothing to undo (404) succeeds, so reverting twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from chaos.model import DRIVERS
from livefire.errors import FaultError

TIMEOUT_S = 3.0
ATTEMPTS = 3


def _call(method: str, url: str, token: str | None, body: dict[str, Any] | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    last: Exception | None = None
    for _ in range(ATTEMPTS):
        try:
            response = requests.request(method, url, json=body, headers=headers, timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            last = exc
            continue
        if response.status_code >= 500:
            last = FaultError(f"{method} {url}: HTTP {response.status_code}")
            continue
        return response.status_code
    raise FaultError(f"{method} {url} failed after {ATTEMPTS} attempts: {last}")


def _expect(status: int, ok: tuple[int, ...], what: str) -> None:
    if status not in ok:
        raise FaultError(f"{what}: HTTP {status}")


@dataclass(frozen=True)
class ProxyToxic:
    """Add one toxic to a proxy; revert removes it."""

    api: str
    proxy: str
    toxic: dict[str, Any] = field(hash=False)
    token: str | None = None

    def _url(self) -> str:
        return f"{self.api.rstrip('/')}/proxies/{self.proxy}/toxics"

    def inject(self) -> None:
        status = _call("POST", self._url(), self.token, self.toxic)
        if status == 409:  # left over from an earlier crash: replace it with ours
            _call("DELETE", f"{self._url()}/{self.toxic['name']}", self.token)
            status = _call("POST", self._url(), self.token, self.toxic)
        _expect(status, (200, 201), f"add toxic {self.toxic['name']} to {self.proxy}")

    def revert(self) -> None:
        status = _call("DELETE", f"{self._url()}/{self.toxic['name']}", self.token)
        _expect(status, (200, 204, 404), f"remove toxic {self.toxic['name']} from {self.proxy}")

    def spec(self) -> dict[str, Any]:
        return {
            "driver": "proxy-toxic",
            "api": self.api,
            "proxy": self.proxy,
            "toxic": self.toxic,
            "token": self.token,
        }


@dataclass(frozen=True)
class ProxyDisable:
    """Disable a proxy: it stops listening and drops its connections; revert enables it."""

    api: str
    proxy: str
    token: str | None = None

    def _set(self, enabled: bool) -> None:
        url = f"{self.api.rstrip('/')}/proxies/{self.proxy}"
        status = _call("POST", url, self.token, {"enabled": enabled})
        _expect(status, (200,), f"{'enable' if enabled else 'disable'} proxy {self.proxy}")

    def inject(self) -> None:
        self._set(False)

    def revert(self) -> None:
        self._set(True)

    def spec(self) -> dict[str, Any]:
        return {
            "driver": "proxy-disable",
            "api": self.api,
            "proxy": self.proxy,
            "token": self.token,
        }


DRIVERS.add("proxy-toxic", lambda s: ProxyToxic(s["api"], s["proxy"], s["toxic"], s.get("token")))
DRIVERS.add("proxy-disable", lambda s: ProxyDisable(s["api"], s["proxy"], s.get("token")))
