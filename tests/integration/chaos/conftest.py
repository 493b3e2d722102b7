"""Fixtures: the embedded fault proxy with one proxy in front of an echo server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from chaos.proxy import ProxyServerThread
from tests.integration.proxy.upstreams import echo, serving

PROXY = "edge-eu"


@pytest.fixture
def proxy_api() -> Iterator[str]:
    """The API URL of a running proxy server holding proxy `edge-eu` in front of an echo."""
    with serving(echo) as upstream, ProxyServerThread(port=0) as server:
        body = {"name": PROXY, "listen": "127.0.0.1:0", "upstream": upstream, "enabled": True}
        created = requests.post(f"{server.url}/proxies", json=body, timeout=5)
        assert created.status_code == 201, created.text
        yield server.url


def proxy_state(api: str, name: str = PROXY) -> dict[str, Any]:
    """What the proxy API itself says about the proxy (checked from outside livefire)."""
    response = requests.get(f"{api}/proxies/{name}", timeout=5)
    response.raise_for_status()
    return dict(response.json())


def healthy(api: str, name: str = PROXY) -> bool:
    state = proxy_state(api, name)
    return bool(state["enabled"]) and state["toxics"] == []
