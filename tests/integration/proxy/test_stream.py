"""Byte streams stay whole and in order while toxics come and go on open connections."""

from __future__ import annotations

import os
import socket
import struct
import threading
import time

import pytest
from toxiproxy import Toxiproxy

from chaos.proxy import ProxyServerThread
from chaos.proxy.link import HIGH_WATER
from tests.integration.proxy.upstreams import connect, recv_exactly, round_trip

pytestmark = pytest.mark.integration

SIZE = 4 << 20


def pattern(size: int) -> bytes:
    block = bytes(range(251))  # a prime length, so misplaced chunks show
    return (block * (size // len(block) + 1))[:size]


def test_echo_stays_intact_while_toxics_toggle(
    fast_path: str, toxiproxy: Toxiproxy, echo_upstream: str
) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    # About 0.5 s of transfer, so every toggle below happens with data in flight.
    proxy.add_toxic(type="bandwidth", stream="upstream", name="bw", attributes={"rate": 8000})
    payload = pattern(SIZE)
    received: list[bytes] = []
    with connect(proxy.listen) as sock:
        reader = threading.Thread(target=lambda: received.append(recv_exactly(sock, SIZE)))
        reader.start()
        writer = threading.Thread(target=sock.sendall, args=(payload,))
        writer.start()
        for i in range(6):
            stream = "upstream" if i % 2 else "downstream"
            proxy.add_toxic(type="latency", stream=stream, name="t", attributes={"latency": 2})
            time.sleep(0.02)
            proxy.add_toxic(type="slicer", name="s", attributes={"average_size": 3000})
            time.sleep(0.02)
            proxy.destroy_toxic("t")
            proxy.destroy_toxic("s")
            time.sleep(0.02)
            if i == 3:
                assert not received, "the transfer must still be running"
                proxy.destroy_toxic("bw")
        writer.join(30)
        reader.join(30)
    assert received and len(received[0]) == SIZE
    assert received[0] == payload


def test_half_close_passes_through(
    fast_path: str, toxiproxy: Toxiproxy, echo_upstream: str
) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    with connect(proxy.listen) as sock:
        round_trip(sock, b"warm")
        sock.sendall(b"last words")
        sock.shutdown(socket.SHUT_WR)
        assert recv_exactly(sock, 10) == b"last words", "the reply still arrives after our EOF"
        assert sock.recv(16) == b"", "the echo server's close reaches us"


def test_latency_on_both_paths(fast_path: str, toxiproxy: Toxiproxy, echo_upstream: str) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    with connect(proxy.listen) as sock:
        base = min(round_trip(sock) for _ in range(3))
        proxy.add_toxic(type="latency", attributes={"latency": 100})
        added = round_trip(sock) - base
        proxy.destroy_toxic("latency_downstream")
        after = round_trip(sock)
    assert abs(added - 0.100) <= 0.020
    assert after < 0.020


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_closed_connections_release_their_descriptors(
    fast_path: str, toxiproxy: Toxiproxy, echo_upstream: str
) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    with connect(proxy.listen) as warm:  # the server's own sockets and threads exist now
        round_trip(warm)
    before = open_fds()
    socks = [connect(proxy.listen) for _ in range(40)]
    for sock in socks:
        round_trip(sock)
    proxy.add_toxic(type="latency", attributes={"latency": 1})  # some links leave the fast path
    for sock in socks[:20]:
        round_trip(sock)
    for sock in socks[:20]:
        sock.close()
    for sock in socks[20:]:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # reset, not closed
    deadline = time.monotonic() + 5
    while open_fds() > before + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert open_fds() <= before + 2


def test_megabytes_held_by_timeout_flow_in_order_on_removal(
    fast_path: str, toxiproxy: Toxiproxy, echo_upstream: str, server: ProxyServerThread
) -> None:
    proxy = toxiproxy.create(upstream=echo_upstream, name="echo")
    proxy.add_toxic(type="timeout", stream="upstream", attributes={"timeout": 0})
    payload = pattern(8 << 20)
    received: list[bytes] = []
    with connect(proxy.listen) as sock:
        writer = threading.Thread(target=sock.sendall, args=(payload,))
        writer.start()
        time.sleep(0.5)
        (conn,) = server.server.collection.get("echo").connections
        held = conn.links[0].queued
        assert 0 < held <= HIGH_WATER + (1 << 20), "the proxy holds a bounded amount; then TCP"
        proxy.destroy_toxic("timeout_upstream")
        reader = threading.Thread(target=lambda: received.append(recv_exactly(sock, len(payload))))
        reader.start()
        writer.join(30)
        reader.join(30)
    assert received and received[0] == payload
