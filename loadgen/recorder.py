"""The per-worker telemetry recorder: observations go into per-second buckets, and complete
seconds are drained into numbered batches for the master."""

from __future__ import annotations

import itertools
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from livefire.base.histogram import Histogram
from livefire.base.percentiles import nearest_rank
from livefire.base.telemetry import (
    EVENT_LOOP_STALL,
    HEARTBEAT,
    SCHEDULE_LAG,
    VIEWERS_STALLED,
    VIEWERS_WATCHING,
    WORKER_UNRELIABLE,
    Batch,
    Second,
)
from loadgen.clock import ClockEstimator
from loadgen.config import LoadConfig

MAX_BACKFILL_S = 600


MIN_LATE = 2
"""A second is behind when its lag p99 is over the limit *and* at least this many sends were
late: with a few dozen sends a second, p99 is the single slowest, and one outlier (a user
spawning) is not a generator that fell behind."""


def _count_over(hist: Histogram, limit_s: float) -> int:
    return hist.count_over(limit_s * 1e6)


class Watcher(Protocol):
    def book_until(self, now: float) -> None:
        """Book the time played and stalled so far into the seconds it passed in."""

    def playing(self, now: float) -> bool | None:
        """True while playing, False while stalled or starting over, None before it first
        played (not yet part of the audience)."""


class Recorder:
    def __init__(
        self,
        worker: str,
        max_lag: float = LoadConfig.max_schedule_lag_p99,
        max_stall: float = LoadConfig.max_event_loop_stall,
    ) -> None:
        self.worker = worker
        self.max_lag = max_lag  # a second whose schedule lag p99 exceeds this is unreliable
        self.max_stall = max_stall  # so is a second with an event-loop stall longer than this
        self._seconds: dict[int, Second] = {}
        self._seq = 0
        self._records: list[dict[str, Any]] = []
        self._next: int | None = None  # first second not yet given a heartbeat
        self.clock = ClockEstimator()  # fed by users from their responses' Date headers
        self.audience: weakref.WeakSet[Watcher] = weakref.WeakSet()  # viewers, sampled 1/s
        self._in_flight: dict[int, tuple[float, float]] = {}  # token → (sent, deadline)
        self._tokens = itertools.count()

    @contextmanager
    def in_flight(self, sent: float, deadline: float) -> Iterator[None]:
        """Mark a request (or a gift's retries) as under way from `sent` until, at the latest,
        `deadline`: the end of the run waits for it (`settled`), since what it finds is
        stamped at `sent`, which may be a judged second."""
        token = next(self._tokens)
        self._in_flight[token] = (sent, deadline)
        try:
            yield
        finally:
            del self._in_flight[token]

    def settled(self, before: float, now: float) -> bool:
        """Has everything sent before `before` ended, or passed its deadline by `now`?"""
        return all(sent >= before or deadline <= now for sent, deadline in self._in_flight.values())

    def _second(self, at: float | None) -> Second:
        t = int(time.time() if at is None else at)
        second = self._seconds.get(t)
        if second is None:
            second = self._seconds[t] = Second(t)
        return second

    def observe(self, metric: str, seconds: float, at: float | None = None) -> None:
        """Record a duration (in seconds) into the histogram of the second `at` falls in."""
        self._second(at).observe(metric, seconds)

    def count(self, counter: str, n: int = 1, at: float | None = None) -> None:
        self._second(at).count(counter, n)

    def gauge(self, counter: str, value: int, at: float | None = None) -> None:
        """Set a per-second level (the last value set in a second wins); merging sums the
        workers' levels, so set it in every second, once per worker."""
        self._second(at).counters[counter] = value

    def sample_audience(self, now: float) -> None:
        """How many viewers are watching and how many of them are stalled right now: the
        per-second `viewers_playing` SLI, which sees a stalled audience even when every
        request succeeds (a platform serving stale playlists errs nowhere)."""
        watching = stalled = 0
        for viewer in list(self.audience):
            viewer.book_until(now)  # a viewer hung in a long request is booked all the same
            playing = viewer.playing(now)
            if playing is not None:
                watching += 1
                stalled += not playing
        self.gauge(VIEWERS_WATCHING, watching, at=now)
        self.gauge(VIEWERS_STALLED, stalled, at=now)

    def record(self, entry: dict[str, Any]) -> None:
        """Keep a journal entry (e.g. an acknowledged gift) to ship with the next batch."""
        self._records.append(entry)

    def drain(self, final: bool = False, now: float | None = None) -> Batch:
        """Every complete second (all of them when `final`), as the next numbered batch.

        A second is complete one second after it ends (observations are stamped with the time
        their last byte arrived, which may lag a little). Every second this worker was alive
        gets a heartbeat, so a silent worker shows as a gap rather than as no traffic.
        """
        now = time.time() if now is None else now
        cutoff = int(now) + 1 if final else int(now) - 1
        first = self._next if self._next is not None else min(self._seconds, default=cutoff)
        first = max(first, cutoff - MAX_BACKFILL_S)  # a clock jump must not loop for ages
        for t in range(first, cutoff):
            self._second(t).count(HEARTBEAT)
        self._next = max(first, cutoff)
        ready = sorted(t for t in self._seconds if final or t < cutoff)
        seconds = [self._seconds.pop(t) for t in ready]
        for second in seconds:
            if self._behind(second):
                second.count(WORKER_UNRELIABLE + self.worker)
        batch = Batch(self.worker, self._seq, seconds, final, self._records, self.clock.bounds())
        self._records = []
        self._seq += 1
        return batch

    def _behind(self, second: Second) -> bool:
        """Did this worker fall behind in this second, so its measurements may blame the
        target for the generator's own lateness?"""
        lag, stall = second.histograms.get(SCHEDULE_LAG), second.histograms.get(EVENT_LOOP_STALL)
        late = (
            lag is not None
            and (nearest_rank(lag, 99) or 0) / 1e6 > self.max_lag
            and _count_over(lag, self.max_lag) >= MIN_LATE
        )
        return late or (stall is not None and stall.get_max_value() / 1e6 > self.max_stall)
