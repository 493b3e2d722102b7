"""Proxy drivers: a Toxiproxy toxic, or a disabled proxy (black-hole), over Toxiproxy's HTTP API.

They speak the documented API only, so the same driver works against livefire's embedded
proxy and a real Toxiproxy in staging. Every call is bounded (timeout x attempts); a revert
that finds nothing to undo (404) succeeds, so reverting twice is harmless.

Fallback: at injection each driver saves the proxy's definition (`GET /proxies/{name}`) in
its spec; if the revert keeps failing, `fallback()` deletes the proxy and recreates it from
that definition — enabled, with no toxics — which undoes any fault on it.

The API token is never in a spec: the spec names the environment variable that holds it
(`token_env`), read at each call, so the journal carries no secret and every reverter finds
the token where the user put it. Errors are one line: the call, and the cause in a few words
(`connection refused`, `HTTP 401 (missing or invalid token ...)`), never urllib3's repr.
"""

from __future__ import annotations

import os
import re
from typing import Any

import requests

from chaos.model import DRIVERS
from livefire.base.errors import FaultError

TIMEOUT_S = 3.0
ATTEMPTS = 3


def _call(
    method: str,
    url: str,
    token: str | None,
    body: dict[str, Any] | None = None,
    *,
    timeout: float = TIMEOUT_S,
    attempts: int = ATTEMPTS,
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    last = ""
    for _ in range(attempts):
        try:
            response = requests.request(method, url, json=body, headers=headers, timeout=timeout)
        except requests.RequestException as exc:
            last = _cause(exc, timeout)
            continue
        if response.status_code >= 500:
            last = _status(response)
            continue
        return response
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    raise FaultError(f"{method} {url}: {last} ({tries})")


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def _cause(exc: requests.RequestException, timeout: float) -> str:
    """What went wrong in a few words: `connection refused`, `no answer within 3 s`."""
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g} s"
    found = _ERRNO.search(str(exc))
    if found:
        return found.group(1).strip().lower()
    return type(exc).__name__


def _status(response: requests.Response) -> str:
    """`HTTP 401 (missing or invalid token ...)`: the API's own one-line error, if it gave one."""
    try:
        said = str(response.json().get("error", ""))
    except (ValueError, AttributeError):
        said = response.text
    said = " ".join(said.split())[:120]
    return f"HTTP {response.status_code}" + (f" ({said})" if said else "")


def _expect(response: requests.Response, ok: tuple[int, ...], what: str) -> None:
    if response.status_code not in ok:
        raise FaultError(f"{what}: {_status(response)}")


class _ProxyDriver:
    """What both proxy drivers share: the API, the saved definition, the fallback."""

    kind = ""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.api: str = spec["api"].rstrip("/")
        self.proxy: str = spec["proxy"]
        self.token_env: str | None = spec.get("token_env")
        self._legacy_token: str | None = spec.get("token")  # journals before token_env
        self.timeout: float = float(spec.get("timeout_s", TIMEOUT_S))
        self.attempts: int = int(spec.get("attempts", ATTEMPTS))
        self.definition: dict[str, Any] | None = spec.get("definition")

    @property
    def token(self) -> str | None:
        """The API token, read now from `token_env`; FaultError if that variable is unset."""
        if not self.token_env:
            return self._legacy_token
        if self.token_env not in os.environ:
            raise FaultError(
                f"proxy {self.proxy}: environment variable {self.token_env} "
                "(the proxy API token) is not set"
            )
        return os.environ[self.token_env]

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, **kw: Any) -> Any:
        kw = {"timeout": self.timeout, "attempts": self.attempts, **kw}
        return _call(method, f"{self.api}/proxies/{self.proxy}{path}", self.token, body, **kw)

    def _save_definition(self) -> None:
        response = self._call("GET", "")
        _expect(response, (200,), f"read proxy {self.proxy}")
        data = response.json()
        self.definition = {k: data[k] for k in ("name", "listen", "upstream") if k in data}

    def fallback(self) -> None:
        """Delete the proxy and recreate it from its saved definition: enabled, no toxics."""
        if not self.definition:
            raise FaultError(f"proxy {self.proxy}: no saved definition to recreate it from")
        response = self._call("DELETE", "", attempts=1)
        _expect(response, (200, 204, 404), f"delete proxy {self.proxy}")
        body = {**self.definition, "enabled": True}
        url = f"{self.api}/proxies"
        created = _call("POST", url, self.token, body, timeout=self.timeout, attempts=1)
        _expect(created, (200, 201), f"recreate proxy {self.proxy}")

    def _base_spec(self) -> dict[str, Any]:
        return {
            "driver": self.kind,
            "api": self.api,
            "proxy": self.proxy,
            "token_env": self.token_env,
            "timeout_s": self.timeout,
            "attempts": self.attempts,
            "definition": self.definition,
        }


class ProxyToxic(_ProxyDriver):
    """Add one toxic to a proxy; revert removes it."""

    kind = "proxy-toxic"

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.toxic: dict[str, Any] = spec["toxic"]

    def inject(self) -> None:
        self._save_definition()
        response = self._call("POST", "/toxics", self.toxic)
        if response.status_code == 409:  # left over from an earlier crash: replace it with ours
            self._call("DELETE", f"/toxics/{self.toxic['name']}")
            response = self._call("POST", "/toxics", self.toxic)
        _expect(response, (200, 201), f"add toxic {self.toxic['name']} to {self.proxy}")

    def revert(self) -> None:
        response = self._call("DELETE", f"/toxics/{self.toxic['name']}")
        _expect(response, (200, 204, 404), f"remove toxic {self.toxic['name']} from {self.proxy}")

    def spec(self) -> dict[str, Any]:
        return {**self._base_spec(), "toxic": self.toxic}


class ProxyDisable(_ProxyDriver):
    """Disable a proxy: it stops listening and drops its connections; revert enables it."""

    kind = "proxy-disable"

    def _set(self, enabled: bool) -> None:
        response = self._call("POST", "", {"enabled": enabled})
        _expect(response, (200,), f"{'enable' if enabled else 'disable'} proxy {self.proxy}")

    def inject(self) -> None:
        self._save_definition()
        self._set(False)

    def revert(self) -> None:
        self._set(True)

    def spec(self) -> dict[str, Any]:
        return self._base_spec()


def toxic_driver(
    api: str, proxy: str, toxic: dict[str, Any], token_env: str | None = None
) -> ProxyToxic:
    return ProxyToxic({"api": api, "proxy": proxy, "toxic": toxic, "token_env": token_env})


def disable_driver(api: str, proxy: str, token_env: str | None = None) -> ProxyDisable:
    return ProxyDisable({"api": api, "proxy": proxy, "token_env": token_env})


DRIVERS.add(ProxyToxic.kind, ProxyToxic)
DRIVERS.add(ProxyDisable.kind, ProxyDisable)
