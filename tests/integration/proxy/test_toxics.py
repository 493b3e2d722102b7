"""Each toxic's effect, measured on real traffic through the proxy (timing within tolerances)."""

from __future__ import annotations

import socket
import time

import pytest
from toxiproxy import Toxiproxy

from chaos.proxy import ProxyServerThread
from tests.integration.proxy.api_calls import call
from tests.integration.proxy.upstreams import (
    connect,
    recv_all,
    recv_exactly,
    round_trip,
    sender,
    serving,
)

pytestmark = pytest.mark.integration


def assert_delta(actual: float, expected: float, delta: float) -> None:
    assert abs(actual - expected) <= delta, f"{actual:.3f} s, expected {expected} ± {delta} s"


def baseline(sock: socket.socket) -> float:
    return min(round_trip(sock) for _ in range(5))


def test_latency_adds_300ms(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    with connect(proxy.listen) as sock:
        base = baseline(sock)
        proxy.add_toxic(type="latency", attributes={"latency": 300})
        assert_delta(round_trip(sock) - base, 0.300, 0.030)
        proxy.add_toxic(type="latency", stream="upstream", attributes={"latency": 100})
        assert_delta(round_trip(sock) - base, 0.400, 0.030)
        proxy.destroy_toxic("latency_downstream")
        proxy.destroy_toxic("latency_upstream")
        assert round_trip(sock) < 0.030, "removing the toxics restores the open connection"


def test_latency_jitter_stays_within_bounds(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="latency", attributes={"latency": 100, "jitter": 50})
    with connect(proxy.listen) as sock:
        times = [round_trip(sock) for _ in range(8)]
    assert all(0.045 <= t <= 0.180 for t in times), times
    assert max(times) - min(times) > 0.005, "jitter must vary the delay"


def test_toxicity_zero_never_applies(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="latency", toxicity=0.0, attributes={"latency": 500})
    with connect(proxy.listen) as sock:
        assert round_trip(sock) < 0.100


def test_timeout_zero_holds_data_until_removed(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="timeout", attributes={"timeout": 0})
    with connect(proxy.listen) as sock:
        sock.sendall(b"held")
        sock.settimeout(0.5)
        with pytest.raises(TimeoutError):
            sock.recv(16)
        proxy.destroy_toxic("timeout_downstream")
        sock.settimeout(5)
        assert recv_exactly(sock, 4) == b"held", "held data flows once the toxic is removed"
        assert round_trip(sock) < 0.100


def test_timeout_closes_after_its_delay(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="timeout", attributes={"timeout": 400})
    with connect(proxy.listen) as sock:
        start = time.perf_counter()
        sock.sendall(b"lost")
        assert sock.recv(16) == b""
        assert_delta(time.perf_counter() - start, 0.400, 0.060)


def test_bandwidth_limits_rate(toxiproxy: Toxiproxy) -> None:
    payload = bytes(1_000_000)  # the measure: 100 KB/s moves 1 MB in about 10 s
    with serving(sender(payload)) as upstream:
        proxy = toxiproxy.create(upstream=upstream, name="bulk")
        proxy.add_toxic(type="bandwidth", attributes={"rate": 100})
        with connect(proxy.listen) as sock:
            start = time.perf_counter()
            data, _ = recv_all(sock)
            elapsed = time.perf_counter() - start
    assert data == payload
    assert_delta(elapsed, 10.0, 1.5)


def test_slow_close_delays_the_close(toxiproxy: Toxiproxy) -> None:
    with serving(sender(b"bye")) as upstream:
        proxy = toxiproxy.create(upstream=upstream, name="closer")
        proxy.add_toxic(type="slow_close", attributes={"delay": 300})
        with connect(proxy.listen) as sock:
            start = time.perf_counter()
            assert recv_exactly(sock, 3) == b"bye"
            first = time.perf_counter() - start
            assert sock.recv(16) == b""
            closed = time.perf_counter() - start
    assert first < 0.100
    assert_delta(closed, 0.300, 0.050)


def test_reset_peer_resets(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="reset_peer", stream="upstream", attributes={"timeout": 200})
    with connect(proxy.listen) as sock:
        start = time.perf_counter()
        sock.sendall(b"boom")
        with pytest.raises(ConnectionResetError):
            sock.recv(16)
        assert_delta(time.perf_counter() - start, 0.200, 0.050)


def test_limit_data_closes_after_n_bytes(toxiproxy: Toxiproxy) -> None:
    with serving(sender(bytes(range(256)) * 40)) as upstream:
        proxy = toxiproxy.create(upstream=upstream, name="limited")
        proxy.add_toxic(type="limit_data", attributes={"bytes": 1000})
        with connect(proxy.listen) as sock:
            data, _ = recv_all(sock)
    assert data == (bytes(range(256)) * 4)[:1000]


def test_slicer_splits_chunks(toxiproxy: Toxiproxy) -> None:
    payload = bytes(range(256)) * 8
    with serving(sender(payload)) as upstream:
        proxy = toxiproxy.create(upstream=upstream, name="sliced")
        proxy.add_toxic(
            type="slicer", attributes={"average_size": 64, "size_variation": 16, "delay": 20_000}
        )
        with connect(proxy.listen) as sock:
            start = time.perf_counter()
            data, sizes = recv_all(sock)
            elapsed = time.perf_counter() - start
    assert data == payload
    assert len(sizes) >= 20, f"expected ~32 slices of ~64 bytes, got {sizes}"
    assert max(sizes) <= 80
    assert elapsed >= 0.020 * 20, "pieces are `delay` µs apart"


def test_slicer_with_variation_above_average_keeps_every_byte(
    toxiproxy: Toxiproxy, echo_upstream: str
) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="sliced")
    attributes = {"average_size": 4, "size_variation": 12}  # Toxiproxy accepts this
    proxy.add_toxic(type="slicer", stream="UPSTREAM", attributes=attributes)
    message = bytes(range(256)) * 16
    with connect(proxy.listen) as sock:
        assert round_trip(sock, message) < 1.0


def test_updating_a_toxic_applies_to_open_connections(
    toxiproxy: Toxiproxy, echo_upstream: str, server: ProxyServerThread
) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="latency", attributes={"latency": 100})
    with connect(proxy.listen) as sock:
        assert_delta(round_trip(sock), 0.100, 0.030)
        url = f"{server.url}/proxies/echo/toxics/latency_downstream"
        assert call(url, "PATCH", {"attributes": {"latency": 250}})[0] == 200
        assert_delta(round_trip(sock), 0.250, 0.030)


def test_toxicity_is_drawn_once_per_connection(toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="latency", toxicity=0.5, attributes={"latency": 40})
    slowed = 0
    for _ in range(30):
        with connect(proxy.listen) as sock:
            first, second = round_trip(sock) > 0.030, round_trip(sock) > 0.030
        assert first == second, "the draw holds for the whole connection"
        slowed += first
    assert 5 <= slowed <= 25, f"{slowed}/30 connections slowed at toxicity 0.5"


def test_removing_bandwidth_releases_the_data_inside_it(toxiproxy: Toxiproxy) -> None:
    payload = bytes(range(250)) * 400  # 100 KB: 20 s at 5 KB/s
    with serving(sender(payload)) as upstream:
        proxy = toxiproxy.create(upstream=upstream, name="bulk")
        proxy.add_toxic(type="bandwidth", attributes={"rate": 5})
        with connect(proxy.listen) as sock:
            first = sock.recv(65536)
            assert 0 < len(first) <= 1000, "the first slice is paced"
            proxy.destroy_toxic("bandwidth_downstream")
            start = time.perf_counter()
            rest, _ = recv_all(sock)
            elapsed = time.perf_counter() - start
    assert first + rest == payload
    assert elapsed < 0.5, f"the rest took {elapsed:.2f} s after the toxic was removed"


def test_removing_latency_delivers_the_delayed_chunk_now(
    toxiproxy: Toxiproxy, echo_upstream: str
) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="latency", attributes={"latency": 3000})
    with connect(proxy.listen) as sock:
        start = time.perf_counter()
        sock.sendall(b"late")
        time.sleep(0.2)
        proxy.destroy_toxic("latency_downstream")
        assert recv_exactly(sock, 4) == b"late"
        assert time.perf_counter() - start < 0.6, "delivered when removed, not after 3 s"


def test_updating_a_timeout_keeps_holding(
    toxiproxy: Toxiproxy, echo_upstream: str, server: ProxyServerThread
) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="timeout", attributes={"timeout": 0})
    url = f"{server.url}/proxies/echo/toxics/timeout_downstream"
    with connect(proxy.listen) as sock:
        sock.sendall(b"held")
        sock.settimeout(0.3)
        for body in ({"attributes": {"timeout": 0}}, {"toxicity": 1.0}, {}):
            assert call(url, "PATCH", body)[0] == 200
            with pytest.raises(TimeoutError):
                sock.recv(16)
        proxy.destroy_toxic("timeout_downstream")
        sock.settimeout(5)
        assert recv_exactly(sock, 4) == b"held", "held data flows once the toxic is removed"


def test_updating_a_timeout_to_a_delay_closes_without_leaking(
    toxiproxy: Toxiproxy, echo_upstream: str, server: ProxyServerThread
) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="timeout", attributes={"timeout": 0})
    url = f"{server.url}/proxies/echo/toxics/timeout_downstream"
    with connect(proxy.listen) as sock:
        sock.sendall(b"held")
        time.sleep(0.1)
        start = time.perf_counter()
        assert call(url, "PATCH", {"attributes": {"timeout": 300}})[0] == 200
        assert sock.recv(16) == b"", "closed by the new timeout, the held data never sent"
        assert_delta(time.perf_counter() - start, 0.300, 0.080)


def test_removing_slicer_sends_the_rest_of_the_chunk_now(toxiproxy: Toxiproxy) -> None:
    payload = bytes(range(100))  # 100 pieces of 1 byte, 1 s apart
    with serving(sender(payload)) as upstream:
        proxy = toxiproxy.create(upstream=upstream, name="sliced")
        attributes = {"average_size": 1, "size_variation": 0, "delay": 1_000_000}
        proxy.add_toxic(type="slicer", attributes=attributes)
        with connect(proxy.listen) as sock:
            first = sock.recv(16)
            proxy.destroy_toxic("slicer_downstream")
            start = time.perf_counter()
            rest, _ = recv_all(sock)
            elapsed = time.perf_counter() - start
    assert first + rest == payload and len(first) < 10
    assert elapsed < 0.5, f"the rest took {elapsed:.2f} s after the toxic was removed"
