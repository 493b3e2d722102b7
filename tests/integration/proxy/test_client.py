"""The unmodified toxiproxy-python client drives every endpoint it has, with real traffic."""

from __future__ import annotations

import json

import pytest
from toxiproxy import Toxiproxy
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists

from tests.integration.proxy.upstreams import connect, round_trip

pytestmark = pytest.mark.integration


def test_version_and_running(toxiproxy: Toxiproxy) -> None:
    assert toxiproxy.running()
    assert json.loads(toxiproxy.version())["version"].startswith("2.")


def test_create_list_get_destroy(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    assert proxy.name == "echo" and proxy.enabled is True
    assert not proxy.listen.endswith(":0"), "port 0 must be replaced by the real port"
    with connect(proxy.listen) as sock:
        round_trip(sock, b"hello")
    assert set(toxiproxy.proxies()) == {"echo"}
    assert toxiproxy.get_proxy("echo").listen == proxy.listen
    assert toxiproxy.destroy(proxy) is True
    assert toxiproxy.get_proxy("echo") is None
    with pytest.raises(NotFound):
        proxy.destroy()


def test_existing_proxy_is_a_conflict(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    toxiproxy.create(upstream=echo_upstream, name="echo")
    with pytest.raises(ProxyExists):
        toxiproxy.create(upstream=echo_upstream, name="echo")


def test_toxics_add_list_get_destroy(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="latency", attributes={"latency": 50, "jitter": 5})
    proxy.add_toxic(type="bandwidth", stream="upstream", name="slow_up", attributes={"rate": 9})
    toxics = proxy.toxics()
    assert set(toxics) == {"latency_downstream", "slow_up"}
    latency = proxy.get_toxic("latency_downstream")
    assert latency.type == "latency" and latency.stream == "downstream"
    assert latency.attributes == {"latency": 50, "jitter": 5} and latency.toxicity == 1.0
    assert toxics["slow_up"].attributes == {"rate": 9}
    assert proxy.destroy_toxic("slow_up") is True
    assert set(proxy.toxics()) == {"latency_downstream"}
    with pytest.raises(NotFound):
        proxy.destroy_toxic("slow_up")


def test_bad_toxics_are_refused(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    with pytest.raises(InvalidToxic, match="latncy"):
        proxy.add_toxic(type="latncy")
    with pytest.raises(InvalidToxic, match="stream was invalid"):
        proxy.add_toxic(type="latency", stream="sideways")
    proxy.add_toxic(type="latency")
    with pytest.raises(ProxyExists):
        proxy.add_toxic(type="latency")


def test_disable_drops_connections_and_enable_restores(
    toxiproxy: Toxiproxy, echo_upstream: str
) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    sock = connect(proxy.listen)
    round_trip(sock)
    with proxy.down():
        assert toxiproxy.get_proxy("echo").enabled is False
        assert sock.recv(16) == b"", "the open connection is dropped"
        with pytest.raises(ConnectionRefusedError):
            connect(proxy.listen)
    sock.close()
    assert toxiproxy.get_proxy("echo").enabled is True
    with connect(proxy.listen) as again:
        round_trip(again)


def test_reset_enables_proxies_and_removes_toxics(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="timeout", attributes={"timeout": 0})
    proxy.disable()
    assert toxiproxy.reset() is True
    assert toxiproxy.get_proxy("echo").enabled is True
    assert proxy.toxics() == {}
    with connect(proxy.listen) as sock:
        assert round_trip(sock) < 0.5


def test_populate_and_destroy_all(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    created = toxiproxy.populate(
        [
            {"name": "one", "upstream": echo_upstream, "listen": "127.0.0.1:0"},
            {"name": "two", "upstream": echo_upstream, "listen": "127.0.0.1:0"},
        ]
    )
    assert sorted(p.name for p in created) == ["one", "two"]
    for proxy in created:
        with connect(proxy.listen) as sock:
            round_trip(sock)
    toxiproxy.destroy_all()
    assert toxiproxy.proxies() == {}
