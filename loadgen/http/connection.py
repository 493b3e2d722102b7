"""One keep-alive TCP connection: write a request, read one response, stamp the times.

Plain `socket` calls, so under Locust (which gevent-monkey-patches `socket`) every wait yields
to the other greenlets; without gevent it is an ordinary blocking client.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable

from loadgen.http.response import ResponseParser

RECV_SIZE = 256 * 1024
"""Bytes asked of one recv: a 10 KB segment arrives in one call, a 1 MB one in a few."""


class ConnectionLost(ConnectionError):
    """The peer closed the connection before the response was complete."""


class Exchange:
    """One request/response in progress; filled as it goes, so a failure keeps what arrived."""

    __slots__ = ("first_byte", "last_byte", "parser", "sent")

    def __init__(self) -> None:
        self.parser = ResponseParser()
        self.sent = 0.0
        self.first_byte = 0.0
        self.last_byte = 0.0


class Connection:
    """A TCP connection to one host:port that serves requests one after another."""

    __slots__ = ("address", "sock")

    def __init__(self, address: tuple[str, int], sock: socket.socket) -> None:
        self.address = address
        self.sock = sock

    @classmethod
    def open(cls, address: tuple[str, int], deadline: float) -> Connection:
        """Connect before `deadline` (time.monotonic()); raises OSError/TimeoutError."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed before connecting")
        sock = socket.create_connection(address, timeout=remaining)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(address, sock)

    def exchange(self, request: bytes, exchange: Exchange, deadline: float) -> None:
        """Send `request` and read its whole response into `exchange` before `deadline`.

        Raises TimeoutError, ConnectionLost, other OSErrors or ResponseError; the caller must
        then close this connection, and may reuse it only if `exchange.parser.keep_alive`.
        """
        sock = self.sock
        parser = exchange.parser
        monotonic = time.monotonic
        sock.settimeout(_remaining(deadline, monotonic))
        exchange.sent = time.time()
        sock.sendall(request)
        while True:
            sock.settimeout(_remaining(deadline, monotonic))
            data = sock.recv(RECV_SIZE)
            now = time.time()
            if not data:
                if parser.finish():
                    break
                raise ConnectionLost("connection closed by the server before the response ended")
            if not exchange.first_byte:
                exchange.first_byte = now
            if parser.feed(data):
                break
        exchange.last_byte = now

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def _remaining(deadline: float, monotonic: Callable[[], float]) -> float:
    remaining = deadline - monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline passed")
    return remaining
