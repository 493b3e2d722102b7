"""One keep-alive TCP connection: write a request, read one response, stamp the times.

Always a gevent socket (whether or not `socket` is monkey-patched), so waits yield to the other
greenlets; outside any greenlet the call simply blocks. Deadlines come from `deadline`'s
watchdog rather than socket timeouts (see there why).
"""

from __future__ import annotations

import contextlib
import time

from gevent import get_hub, socket

from loadgen.http.response import ResponseParser

RECV_SIZE = 256 * 1024
"""Bytes asked of one recv: a 10 KB segment arrives in one call, a 1 MB one in a few."""


class ConnectionLost(ConnectionError):
    """The peer closed the connection before the response was complete."""


class Exchange:
    """One request/response in progress; filled as it goes, so a failure keeps what arrived."""

    __slots__ = ("first_byte", "last_byte", "sent")

    def __init__(self) -> None:
        self.sent = 0.0
        self.first_byte = 0.0
        self.last_byte = 0.0


class Connection:
    """A TCP connection to one host:port that serves requests one after another."""

    __slots__ = ("_hub", "_readable", "address", "parser", "sock")

    def __init__(self, address: tuple[str, int], sock: socket.socket) -> None:
        self.address = address
        self.sock = sock
        self._hub = get_hub()
        self._readable = self._hub.loop.io(sock.fileno(), 1)
        """Waited on right after sending: skips a recv doomed to EAGAIN on every request."""
        self.parser = ResponseParser()
        """Parses this connection's responses; read the current one's fields after exchange."""

    @classmethod
    def open(cls, address: tuple[str, int]) -> Connection:
        """Connect, trying each resolved address in turn; raises the last OSError."""
        host, port = address
        error: OSError = OSError(f"{host}:{port} resolves to no address")
        for family, kind, proto, _, sockaddr in socket.getaddrinfo(
            host, port, 0, socket.SOCK_STREAM
        ):
            sock = socket.socket(family, kind, proto)
            try:
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            except BaseException:
                sock.close()
                raise
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return cls(address, sock)
        raise error

    def exchange(self, request: bytes, exchange: Exchange) -> None:
        """Send `request` and read its whole response into `self.parser` and `exchange`.

        Raises ConnectionLost, other OSErrors or ResponseError; the caller must then close this
        connection, and may reuse it only if `self.parser.keep_alive`.
        """
        sock = self.sock
        parser = self.parser
        parser.begin()
        exchange.sent = time.time()
        written = sock.send(request)  # one syscall: a GET fits the socket buffer
        if written < len(request):
            sock.sendall(request[written:])
        self._hub.wait(self._readable)
        while True:
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
        self._readable.close()
        with contextlib.suppress(OSError):
            self.sock.close()
