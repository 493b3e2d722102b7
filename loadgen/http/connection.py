"""One keep-alive TCP or TLS connection: write a request, read one response, stamp the times.

Always a gevent socket (whether or not `socket` is monkey-patched), so waits yield to the other
greenlets; outside any greenlet the call simply blocks. A TLS connection is the same socket
wrapped by a `gevent.ssl` context (see `loadgen.tls`), its handshake done in `open`, so that,
like the TCP connect, it is part of the first request's latency and never of the others'.
Deadlines come from `deadline`'s watchdog rather than socket timeouts (see there why).
"""

from __future__ import annotations

import contextlib
import ssl
import time

from gevent import get_hub, socket

from loadgen.http.response import ResponseParser

RECV_SIZE = 256 * 1024
"""Bytes asked of one recv: a 10 KB segment arrives in one call, a 1 MB one in a few."""


class ConnectionLost(ConnectionError):
    """The peer closed the connection before the response was complete."""


class HandshakeFailed(ConnectionError):
    """The TLS handshake failed; `cause` is what OpenSSL or the socket raised (a certificate
    that did not verify, an alert, a reset, an EOF)."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(str(cause))
        self.cause = cause


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
    def open(
        cls,
        address: tuple[str, int],
        context: ssl.SSLContext | None = None,
        server_name: str | None = None,
    ) -> Connection:
        """Connect, trying each resolved address in turn; raises the last OSError. With a
        `context`, then handshake as `server_name` (SNI and the name verified; SNI is not sent
        for an IP address): HandshakeFailed when that fails."""
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
            if context is not None:
                sock = _handshake(sock, context, server_name or host)
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


def _handshake(sock: socket.socket, context: ssl.SSLContext, server_name: str) -> socket.socket:
    """The TLS socket over connected `sock`, handshake done; closes it on any failure (a
    deadline thrown into the handshake included)."""
    try:
        wrapped = context.wrap_socket(
            sock, server_hostname=server_name, do_handshake_on_connect=False
        )
    except BaseException:
        sock.close()
        raise
    try:
        wrapped.do_handshake()
    except OSError as exc:
        wrapped.close()
        raise HandshakeFailed(exc) from exc
    except BaseException:
        wrapped.close()
        raise
    return wrapped
