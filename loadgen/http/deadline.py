"""Request deadlines for thousands of greenlets with one periodic hub timer.

A socket timeout costs a gevent Timeout (a libev timer started and stopped in Python) on every
blocking call; at thousands of requests a second that is a sizeable share of a core. Instead,
each request registers its deadline here, and one timer per hub sweeps every `PERIOD` seconds,
throwing `DeadlineExceeded` into the greenlets whose time is up, as gevent's own Timeout does.
Deadlines are therefore enforced to within `PERIOD`.

The caller must `watch()` before its first blocking call and `unwatch()` in a `finally`, and
must not block on anything but the request's own socket in between.
"""

from __future__ import annotations

import time
from typing import Any

from gevent import get_hub, getcurrent

PERIOD = 0.01
"""Seconds between sweeps: the precision of every timeout."""


class DeadlineExceeded(Exception):
    """Thrown into a greenlet whose request deadline passed (not an OSError, so that gevent's
    socket code, which inspects OSErrors, lets it through)."""


class Watchdog:
    """The deadlines of one hub's in-flight requests."""

    def __init__(self, hub: Any) -> None:
        self._deadlines: dict[Any, float] = {}
        self._timer = hub.loop.timer(PERIOD, PERIOD)

    def watch(self, deadline: float) -> None:
        """Make the current greenlet's blocking calls fail after `deadline` (time.monotonic())."""
        self._deadlines[getcurrent()] = deadline
        if not self._timer.active:
            self._timer.start(self._sweep)

    def unwatch(self) -> None:
        self._deadlines.pop(getcurrent(), None)

    def _sweep(self) -> None:
        now = time.monotonic()
        expired = [g for g, deadline in self._deadlines.items() if deadline <= now]
        for greenlet in expired:
            del self._deadlines[greenlet]
            greenlet.throw(DeadlineExceeded())
        if not self._deadlines:
            self._timer.stop()


_watchdogs: dict[Any, Watchdog] = {}


def watchdog() -> Watchdog:
    """The current hub's watchdog (one per thread that runs greenlets)."""
    hub = get_hub()
    found = _watchdogs.get(hub)
    if found is None:
        found = _watchdogs[hub] = Watchdog(hub)
    return found
