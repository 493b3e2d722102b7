"""A client connection and its upstream connection, joined by two links (one per direction).

    client ──Side── upstream Link ──► Side── upstream server
           ◄──────── downstream Link ◄──────

Closing follows TCP: a side's EOF is passed on as a half-close (through the stream's toxics),
the connection closes when both directions have passed their EOF, and an error or reset on
one side aborts the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import TYPE_CHECKING

from chaos.proxy.address import split_address
from chaos.proxy.link import Link, Pause
from chaos.proxy.spec import Stream

if TYPE_CHECKING:
    from chaos.proxy.proxy import Proxy

CONNECT_TIMEOUT = 10.0
"""Seconds to reach the upstream before the client connection is dropped."""
_LINGER_RESET = struct.pack("ii", 1, 0)


class Side(asyncio.Protocol):
    """One socket: what it reads goes into `into`, what `out_of` moves is written to it."""

    def __init__(self, conn: Connection, into: Link, out_of: Link) -> None:
        self.conn = conn
        self.into = into
        self.out_of = out_of
        self.transport: asyncio.Transport | None = None
        self.paused = Pause(0)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.conn.side_made(self)

    def data_received(self, data: bytes) -> None:
        self.into.feed(data)

    def eof_received(self) -> bool:
        self.into.feed_eof()
        return True  # keep the other direction open: a half-close, not a close

    def connection_lost(self, exc: Exception | None) -> None:
        self.conn.side_lost(self, exc)

    def pause_writing(self) -> None:
        self.out_of.sink_paused()

    def resume_writing(self) -> None:
        self.out_of.sink_resumed()

    def pause(self, reason: Pause) -> None:
        if not self.paused and self.transport is not None and not self.into.spliced:
            self.transport.pause_reading()
        self.paused |= reason

    def resume(self, reason: Pause) -> None:
        if self.paused & reason:
            self.paused &= ~reason
            if not self.paused and self.transport is not None and not self.into.spliced:
                self.transport.resume_reading()


class Connection:
    """An accepted client, the upstream connection made for it, and the links between."""

    def __init__(self, proxy: Proxy) -> None:
        self.proxy = proxy
        up = Link(self, Stream.UPSTREAM, proxy.stats[Stream.UPSTREAM])
        down = Link(self, Stream.DOWNSTREAM, proxy.stats[Stream.DOWNSTREAM])
        self.links = (up, down)
        self.client = Side(self, into=up, out_of=down)
        self.server = Side(self, into=down, out_of=up)
        up.source, up.sink = self.client, self.server
        down.source, down.sink = self.server, self.client
        self.ready = False
        self.closing = False
        self._connecting: asyncio.Task[None] | None = None

    def side_made(self, side: Side) -> None:
        if side is self.client:
            side.pause(Pause.CONNECTING)
            self.proxy.connections.add(self)
            self._connecting = asyncio.get_running_loop().create_task(self._connect())
        elif not self.closing:
            # Attach toxics now: the upstream may send before create_connection returns.
            self.ready = True
            for link in self.links:
                link.sync(self.proxy.chain(link.stream))

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            host, port = split_address(self.proxy.upstream)
            connect = loop.create_connection(lambda: self.server, host, port)
            await asyncio.wait_for(connect, CONNECT_TIMEOUT)
        except Exception:  # unreachable, refused, bad address: drop the client
            self.abort()
            return
        if self.closing:
            self._finish(abort=True)
            return
        self.client.resume(Pause.CONNECTING)

    def side_lost(self, side: Side, exc: Exception | None) -> None:
        side.transport = None
        if self.closing:
            return
        if exc is None:
            self.close()
        else:
            self.abort()

    def link_done(self) -> None:
        if all(link.eof_sent for link in self.links):
            self.close()

    def close(self) -> None:
        """Close both sockets once what was written to them is flushed."""
        self._finish(abort=False)

    def abort(self) -> None:
        """Drop both sockets now; unsent data is lost."""
        self._finish(abort=True)

    def reset(self) -> None:
        """Drop both sockets with a TCP RST, like a peer that crashed."""
        for side in (self.client, self.server):
            sock = side.transport.get_extra_info("socket") if side.transport else None
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
        self._finish(abort=True)

    def _finish(self, abort: bool) -> None:
        self.closing = True
        self.proxy.connections.discard(self)
        for link in self.links:
            link.close()
        if self._connecting is not None and self._connecting is not asyncio.current_task():
            self._connecting.cancel()
        for side in (self.client, self.server):
            if side.transport is not None:
                if abort:
                    side.transport.abort()
                else:
                    side.transport.close()
