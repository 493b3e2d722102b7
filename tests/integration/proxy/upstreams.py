"""Upstream servers for proxy tests: real TCP servers on 127.0.0.1 port 0, in threads."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

IO_TIMEOUT = 15.0
"""No socket in these tests blocks longer than this."""


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def serving(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """Run `handle(conn)` for every connection; yield the server's "host:port"."""

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.settimeout(IO_TIMEOUT)
            with suppress(OSError):
                handle(self.request)

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(IO_TIMEOUT)


def echo(conn: socket.socket) -> None:
    """Send back everything received, until the client closes."""
    while data := conn.recv(65536):
        conn.sendall(data)


def sender(payload: bytes) -> Callable[[socket.socket], None]:
    """Send `payload` on connect, then close."""

    def handle(conn: socket.socket) -> None:
        conn.sendall(payload)
        conn.shutdown(socket.SHUT_WR)
        conn.recv(1)

    return handle


def connect(address: str) -> socket.socket:
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=IO_TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(65536, n - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv_all(sock: socket.socket) -> tuple[bytes, list[int]]:
    """Everything until EOF, and the size of each recv (to see how data was cut)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks), [len(c) for c in chunks]


def round_trip(sock: socket.socket, message: bytes = b"ping") -> float:
    """Seconds for `message` to go through the echo server and back."""
    start = time.perf_counter()
    sock.sendall(message)
    assert recv_exactly(sock, len(message)) == message
    return time.perf_counter() - start
