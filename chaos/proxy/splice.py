"""Zero-copy fast path (Linux): bytes go socket → pipe → socket inside the kernel (splice(2)).

Used by a link while no toxic is active on its stream and the sink has nothing buffered. It
reads the source itself (the source transport's reading is paused meanwhile) and reads again
only once the pipe is drained into the sink, so a slow sink pauses the source, as TCP would.
`stop()` hands back whatever is still in the pipe so the link can write it, in order, before
toxics take over. Elsewhere (no os.splice, no pipes left, a loop without the selector
hooks) links use the transport path.

The sockets belong to asyncio transports, and the public `add_reader` refuses fds a transport
owns, so this uses the selector loop's own hooks (`_add_reader` and friends, the ones its
transports use; present in CPython 3.7-3.13). `usable(loop)` checks they exist.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import Callable
from typing import Any

AVAILABLE = hasattr(os, "splice") and hasattr(os, "pipe2")
_HOOKS = ("_add_reader", "_remove_reader", "_add_writer", "_remove_writer")


def usable(loop: asyncio.AbstractEventLoop) -> bool:
    """True when this platform and this loop can run the kernel path."""
    return AVAILABLE and all(hasattr(loop, hook) for hook in _HOOKS)


CHUNK = 1 << 20
"""Bytes moved per splice call (the pipe is grown to this size when the kernel allows)."""
BURST = 16
"""Splices per wake-up at most, so one busy connection cannot starve the others."""
BURST_MIN = 64 << 10
"""Only a read at least this big suggests more is already waiting."""
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_FLAGS = getattr(os, "SPLICE_F_MOVE", 1) | getattr(os, "SPLICE_F_NONBLOCK", 2)


class Splice:
    """Moves src → dst through a pipe; reports bytes, EOF and errors to the callbacks."""

    def __init__(
        self,
        src: int,
        dst: int,
        stats: list[int],
        on_eof: Callable[[], None],
        on_error: Callable[[OSError], None],
    ) -> None:
        self.loop: Any = asyncio.get_running_loop()
        self.src, self.dst, self.stats = src, dst, stats
        self.on_eof, self.on_error = on_eof, on_error
        self.r, self.w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        with contextlib.suppress(OSError):  # the default pipe size works, with more calls
            fcntl.fcntl(self.w, _F_SETPIPE_SZ, CHUNK)
        self.pending = 0
        self.active = False

    def start(self) -> None:
        self.active = True
        self.loop._add_reader(self.src, self._readable)

    def stop(self) -> bytes:
        """Stop moving; return the bytes read from src but not yet written to dst."""
        self._unwatch()
        left = []
        while self.pending:
            try:
                data = os.read(self.r, self.pending)
            except BlockingIOError:
                break
            if not data:
                break
            self.pending -= len(data)
            left.append(data)
        self.pending = 0
        return b"".join(left)

    def close(self) -> None:
        self._unwatch()
        for fd in (self.r, self.w):
            os.close(fd)
        self.r = self.w = -1

    def _unwatch(self) -> None:
        if self.active:
            self.active = False
            self.loop._remove_reader(self.src)
            self.loop._remove_writer(self.dst)

    def _readable(self) -> None:
        # Keep moving while data keeps arriving: one wake-up serves a whole burst.
        for _ in range(BURST):
            try:
                n = os.splice(self.src, self.w, CHUNK, flags=_FLAGS)
            except BlockingIOError:
                return
            except OSError as exc:
                self._unwatch()
                self.on_error(exc)
                return
            if n == 0:
                self._unwatch()
                self.on_eof()
                return
            self.stats[0] += n
            self.pending = n
            self._drain()
            if self.pending or not self.active or n < BURST_MIN:
                return  # a small read means the socket was drained: back to the loop

    def _drain(self) -> None:
        try:
            while self.pending:
                n = os.splice(self.r, self.dst, self.pending, flags=_FLAGS)
                self.pending -= n
                self.stats[1] += n
        except BlockingIOError:
            self.loop._remove_reader(self.src)
            self.loop._add_writer(self.dst, self._writable)
        except OSError as exc:
            self._unwatch()
            self.on_error(exc)

    def _writable(self) -> None:
        self._drain()
        if not self.pending and self.active:
            self.loop._remove_writer(self.dst)
            self.loop._add_reader(self.src, self._readable)
