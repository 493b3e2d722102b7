"""One keep-alive TCP or TLS connection: write a request, read one response, stamp the times.

Always a gevent socket (whether or not `socket` is monkey-patched), so waits yield to the other
greenlets; outside any greenlet the call simply blocks. Deadlines come from `deadline`'s
watchdog rather than socket timeouts (see there why).

A TLS connection (`TlsConnection`) keeps that same plain socket and runs OpenSSL over memory
buffers (`SSLContext.wrap_bio`): one recv takes whatever arrived, however many TLS records,
into a large reused buffer, and OpenSSL decrypts from memory. Through an SSL socket every
record would cost two reads (its header, then its body) and a few layers of Python per call.
The handshake is done in `open`, so that, like the TCP connect, it is part of the first
request's latency and never of the others'.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time

from gevent import get_hub, socket

from loadgen.http.response import ResponseParser

RECV_SIZE = 256 * 1024
"""Bytes asked of one recv: a 10 KB segment arrives in one call, a 1 MB one in a few."""
RECORD_SIZE = 16 * 1024
"""Bytes asked of one decrypting read: a TLS record holds at most this much."""
_buffers = threading.local()
"""Each thread's recv buffer for TLS: filled and emptied into OpenSSL with no wait between."""


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
                return TlsConnection.handshake(address, sock, context, server_name or host)
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


class TlsConnection(Connection):
    """A TLS connection: OpenSSL over memory buffers, fed from and flushed to the plain socket."""

    __slots__ = ("_incoming", "_outgoing", "tls")

    def __init__(
        self,
        address: tuple[str, int],
        sock: socket.socket,
        tls: ssl.SSLObject,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
    ) -> None:
        super().__init__(address, sock)
        self.tls = tls
        self._incoming = incoming
        self._outgoing = outgoing

    @classmethod
    def handshake(
        cls,
        address: tuple[str, int],
        sock: socket.socket,
        context: ssl.SSLContext,
        server_name: str,
    ) -> TlsConnection:
        """Handshake over connected `sock` as `server_name`; HandshakeFailed when it fails.
        Closes the socket on any failure (a deadline thrown into the handshake included)."""
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        try:
            tls = context.wrap_bio(incoming, outgoing, server_hostname=server_name)
        except BaseException:
            sock.close()
            raise
        connection = cls(address, sock, tls, incoming, outgoing)
        try:
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    connection._flush()
                    if not connection._fill():
                        raise ConnectionLost("closed by the server during the handshake") from None
            connection._flush()
        except OSError as exc:
            connection.close()
            raise HandshakeFailed(exc) from exc
        except BaseException:
            connection.close()
            raise
        return connection

    def exchange(self, request: bytes, exchange: Exchange) -> None:
        """As `Connection.exchange`; also raises ssl.SSLError (an alert, a bad record)."""
        tls = self.tls
        parser = self.parser
        incoming = self._incoming
        parser.begin()
        exchange.sent = time.time()
        tls.write(request)
        self._flush()
        while True:
            if not self._fill():
                now = time.time()
                if parser.finish():
                    break
                raise ConnectionLost("connection closed by the server before the response ended")
            now = time.time()
            try:
                while True:
                    data = tls.read(RECORD_SIZE)
                    if not data:  # the server's close_notify
                        if parser.finish():
                            exchange.last_byte = now
                            return
                        raise ConnectionLost("TLS closed by the server before the response ended")
                    if not exchange.first_byte:
                        exchange.first_byte = now
                    if parser.feed(data):
                        exchange.last_byte = now
                        return
                    if not incoming.pending and not tls.pending():
                        break  # all that arrived is read: wait for more
            except ssl.SSLWantReadError:
                pass  # a record only partly arrived (or only a session ticket): wait for more
        exchange.last_byte = now

    def _fill(self) -> bool:
        """Wait for bytes, give OpenSSL all that arrived; False when the server closed."""
        buffer = getattr(_buffers, "view", None)
        if buffer is None:
            buffer = _buffers.view = memoryview(bytearray(RECV_SIZE))
        self._hub.wait(self._readable)
        received = self.sock.recv_into(buffer)
        if not received:
            return False
        self._incoming.write(buffer[:received])
        return True

    def _flush(self) -> None:
        """Send what OpenSSL wrote: one send syscall (gevent's sendall costs a getsockopt and
        a few Python calls more per request), sendall only for what did not fit."""
        data = self._outgoing.read()
        if data:
            written = self.sock.send(data)
            if written < len(data):
                self.sock.sendall(data[written:])
