"""Fixtures: a proxy server in a thread, toxiproxy-python pointed at it, upstream servers."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from toxiproxy import Toxiproxy
from toxiproxy.api import APIConsumer

from chaos.proxy import ProxyServerThread
from tests.integration.proxy.upstreams import echo, serving


@pytest.fixture
def server() -> Iterator[ProxyServerThread]:
    with ProxyServerThread(port=0) as running:
        yield running


@pytest.fixture
def toxiproxy(server: ProxyServerThread) -> Iterator[Toxiproxy]:
    """The unmodified toxiproxy-python client, aimed at the server under test."""
    url = urlsplit(server.url)
    saved = APIConsumer.host, APIConsumer.port
    client = Toxiproxy()
    client.update_api_consumer(url.hostname, url.port)
    yield client
    APIConsumer.host, APIConsumer.port = saved


@pytest.fixture
def echo_upstream() -> Iterator[str]:
    with serving(echo) as address:
        yield address


@pytest.fixture(params=["kernel", "transport"])
def fast_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test on both fast paths: splice(2) in the kernel, and asyncio transports."""
    if request.param == "transport":
        monkeypatch.setattr("chaos.proxy.splice.usable", lambda loop: False)
    return str(request.param)
