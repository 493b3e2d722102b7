"""One direction of a proxied connection, and the stubs that attach toxics to it.

Fast path: while no toxic is active on the link's stream, bytes move source → sink in the
kernel (`splice`, Linux), or else each chunk read is written straight to the sink from
`data_received` (no queue, no task). Once a toxic is active the link queues chunks and one
pump task runs each through the live chain; when the chain is empty again and the queue has
drained, the link returns to the fast path.
The chain is re-read for every chunk, so adding or removing a toxic affects open connections.
Removing or updating a toxic interrupts it on every connection (its stub is detached): what
it holds is forwarded at once, except by a timeout being updated, which keeps holding.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections import deque
from functools import partial
from typing import TYPE_CHECKING, Any

from chaos.proxy import splice
from chaos.proxy.spec import Stream, ToxicSpec
from chaos.proxy.toxic import Chunk

if TYPE_CHECKING:
    from chaos.proxy.connection import Connection, Side

log = logging.getLogger(__name__)

HIGH_WATER = 1 << 20
"""Queued bytes at which reading from the source pauses (the kernel then holds the rest)."""
LOW_WATER = 256 << 10
"""Queued bytes under which reading resumes."""


class Pause(enum.IntFlag):
    """Why reading from a side is paused; reading resumes when no reason is left."""

    CONNECTING = 1
    SINK_FULL = 2
    QUEUE_FULL = 4


class LinkStub:
    """One toxic (one version of it) attached to one link: its state, its detach signal.

    An update replaces the stub with a new version and records it as `successor`, so a
    toxic can tell an update (the fault goes on) from a removal (the fault is over).
    """

    def __init__(self, link: Link, spec: ToxicSpec, active: bool, state: Any) -> None:
        self.link = link
        self.spec = spec
        self.active = active
        self.state = state
        self.detached = asyncio.Event()
        self.successor: LinkStub | None = None
        self.watcher: asyncio.Task[None] | None = None

    async def until_detached(self, timeout: float | None = None) -> bool:
        if self.detached.is_set():
            return True
        try:
            async with asyncio.timeout(timeout):
                await self.detached.wait()
        except TimeoutError:
            return False
        return True

    async def until_removed(self) -> None:
        """Wait through every update until no active version of this toxic is left."""
        stub = self.current()
        while stub is not None:
            await stub.detached.wait()
            stub = stub.current()

    def current(self) -> LinkStub | None:
        """The version of this toxic now attached (after updates); None once removed."""
        stub: LinkStub | None = self
        while stub is not None and stub.detached.is_set():
            stub = stub.successor
        return stub if stub is not None and stub.active else None

    def close(self) -> None:
        self.link.conn.close()

    def reset(self) -> None:
        self.link.conn.reset()

    def detach(self, successor: LinkStub | None = None) -> None:
        """Interrupt the toxic on this connection; `successor` is its updated version."""
        self.successor = successor
        self.detached.set()
        if self.watcher is not None and self.watcher is not asyncio.current_task():
            self.watcher.cancel()


class Link:
    """Moves bytes from `source` to `sink` (two Sides of one Connection) through toxics."""

    def __init__(self, conn: Connection, stream: Stream, stats: list[int]) -> None:
        self.conn = conn
        self.stream = stream
        self.stats = stats  # [received, sent] for the proxy and this direction
        self.loop = asyncio.get_running_loop()
        self.source: Side
        self.sink: Side
        self.fast = True
        self.closed = False
        self.eof_seen = False
        self.eof_sent = False
        self.can_splice = splice.usable(self.loop)
        self.splice: splice.Splice | None = None
        self.spliced = False
        self.stubs: dict[str, LinkStub] = {}
        self.chain: tuple[LinkStub, ...] = ()
        self.queue: deque[Chunk | None] = deque()
        self.queued = 0
        self.wakeup = asyncio.Event()
        self.sink_ready = asyncio.Event()
        self.sink_ready.set()
        self.pump: asyncio.Task[None] | None = None

    def feed(self, data: bytes) -> None:
        """Called by the source for each chunk read."""
        n = len(data)
        stats = self.stats
        stats[0] += n
        if self.fast:
            sink = self.sink.transport
            sink.write(data)  # type: ignore[union-attr]
            stats[1] += n
            if self.can_splice and not sink.get_write_buffer_size():  # type: ignore[union-attr]
                self._start_splice()
            return
        self.queue.append(Chunk(data, self.loop.time()))
        self.queued += n
        if self.queued > HIGH_WATER:
            self.source.pause(Pause.QUEUE_FULL)
        self.wakeup.set()

    def feed_eof(self) -> None:
        """Called by the source when its peer closed its write side."""
        if self.eof_seen:
            return
        self.eof_seen = True
        if self.fast:
            self._send_eof()
        else:
            self.queue.append(None)
            self.wakeup.set()

    def sink_paused(self) -> None:
        self.sink_ready.clear()
        self.source.pause(Pause.SINK_FULL)

    def sink_resumed(self) -> None:
        self.sink_ready.set()
        self.source.resume(Pause.SINK_FULL)

    def sync(self, specs: tuple[ToxicSpec, ...]) -> None:
        """Attach the toxics now on this stream; detach removed and replaced ones."""
        if self.closed:
            return
        stubs: dict[str, LinkStub] = {}
        for spec in specs:
            old = self.stubs.pop(spec.name, None)
            if old is not None and old.spec is spec:
                stubs[spec.name] = old
                continue
            stub = stubs[spec.name] = self._attach(spec, old)
            if old is not None:
                old.detach(successor=stub)
        for old in self.stubs.values():
            old.detach()
        self.stubs = stubs
        self.chain = tuple(stub for stub in stubs.values() if stub.active)
        if self.chain and self.fast:
            self._stop_splice()
            self.fast = False
            self.pump = self.loop.create_task(self._run())
        elif not self.chain and self.fast:
            self._start_splice()
        self.wakeup.set()

    def _start_splice(self) -> None:
        """Move to the kernel path if nothing waits to be written to the sink."""
        source, sink = self.source.transport, self.sink.transport
        if not self.can_splice or self.spliced or self.eof_seen or self.closed:
            return
        if source is None or sink is None or sink.is_closing() or sink.get_write_buffer_size():
            return
        if self.splice is None:
            try:
                self.splice = splice.Splice(
                    source.get_extra_info("socket").fileno(),
                    sink.get_extra_info("socket").fileno(),
                    self.stats,
                    self.feed_eof,
                    lambda exc: self.conn.abort(),
                )
            except OSError:  # out of file descriptors: stay on the transport path
                self.can_splice = False
                return
        self.spliced = True
        source.pause_reading()
        self.splice.start()

    def _stop_splice(self) -> None:
        """Back to transport reads; what the pipe still holds is written first, in order."""
        if not self.spliced or self.splice is None:
            return
        self.spliced = False
        left = self.splice.stop()
        if left and self.sink.transport is not None:
            self.sink.transport.write(left)
        if not self.source.paused and not self.eof_seen and self.source.transport is not None:
            self.source.transport.resume_reading()

    def _attach(self, spec: ToxicSpec, old: LinkStub | None) -> LinkStub:
        """Toxicity is drawn once per connection; an update keeps the draw and the state."""
        toxic = spec.toxic
        same = old is not None and type(old.spec.toxic) is type(toxic)
        if old is not None and same and old.spec.toxicity == spec.toxicity:
            active = old.active
        else:
            active = random.random() < spec.toxicity
        new_state = getattr(toxic, "new_state", None)
        state = old.state if old is not None and same else (new_state() if new_state else None)
        stub = LinkStub(self, spec, active, state)
        watch = getattr(toxic, "watch", None)
        if active and watch is not None:
            stub.watcher = self.loop.create_task(watch(stub))
        return stub

    def close(self) -> None:
        """Stop moving data: detach every toxic and stop the pump."""
        self.closed = True
        if self.splice is not None:
            self.spliced = False
            self.splice.close()
        for stub in self.stubs.values():
            stub.detach()
        self.wakeup.set()
        if self.pump is not None and self.pump is not asyncio.current_task():
            self.pump.cancel()

    async def _run(self) -> None:
        try:
            await self._drain_queue()
        except Exception:  # a toxic's bug costs this connection, never the server
            log.exception("toxic failed on %s link; dropping the connection", self.stream.label)
            self.conn.abort()

    async def _drain_queue(self) -> None:
        while not self.closed:
            if not self.queue:
                if not self.chain:
                    self.fast, self.pump = True, None
                    self._start_splice()
                    return
                self.wakeup.clear()
                await self.wakeup.wait()
                continue
            chunk = self.queue.popleft()
            if chunk is None:
                await self._pass_close(self.chain)
                return
            self.queued -= len(chunk.data)
            if self.queued < LOW_WATER:
                self.source.resume(Pause.QUEUE_FULL)
            await self._through(self.chain, 0, chunk)

    async def _through(self, chain: tuple[LinkStub, ...], i: int, chunk: Chunk) -> None:
        while i < len(chain):
            stub = chain[i].current()
            if stub is not None:
                await stub.spec.toxic.pipe(chunk, stub, partial(self._through, chain, i + 1))
                return
            i += 1  # removed while this chunk was on its way: skip it
        await self._write(chunk)

    async def _write(self, chunk: Chunk) -> None:
        if not self.sink_ready.is_set():
            await self.sink_ready.wait()
        if self.closed:
            return
        self.sink.transport.write(chunk.data)  # type: ignore[union-attr]
        self.stats[1] += len(chunk.data)

    async def _pass_close(self, chain: tuple[LinkStub, ...]) -> None:
        for stub in chain:
            on_close = getattr(stub.spec.toxic, "on_close", None)
            if on_close is not None and not stub.detached.is_set():
                await on_close(stub)
        if not self.closed:
            self._send_eof()

    def _send_eof(self) -> None:
        self.eof_sent = True
        transport = self.sink.transport
        if transport is not None and not transport.is_closing() and transport.can_write_eof():
            try:
                transport.write_eof()
            except OSError:  # the sink's peer is already gone (ENOTCONN): drop both sides
                self.conn.abort()
                return
        self.conn.link_done()
