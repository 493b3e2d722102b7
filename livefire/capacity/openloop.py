"""Open arrivals at a fixed rate against one HTTP endpoint, per-second histograms out.

Why not Locust here: a Locust user waits for its answer before its next request (a closed
loop), so a saturated component slows the generator down with it and its queue never shows
(coordinated omission), and stepping a Locust runner per level costs seconds of spawn on a
2-core CI. This loop schedules request i at its seeded Poisson time t_i whatever happened to
the others, and measures latency from t_i, so time spent waiting for a connection counts
against the component. The generator's own lateness (woken past t_i) is measured apart: a
level where it exceeds `late_s` for over 1% of requests, or where fewer than 95% of the
scheduled requests left, is reported as BEHIND.

Bounded: exactly rate × duration requests, at most `max_connections` open, and every answer
not in by `timeout_s` after the schedule ends is an error. This module and `runner` are the
capacity package's only socket code.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from livefire.base.histogram import Histogram

_LATE_SHARE, _SENT_SHARE = 0.01, 0.95


@dataclass
class Level:
    """One level's telemetry: per-second latency histograms (µs) and counts, by the second
    each request was scheduled in."""

    rate: float
    seconds: list[Histogram]
    ok: list[int]
    errors: list[int]
    scheduled: int = 0
    sent: int = 0
    late: int = 0
    inflight_peak: int = 0

    @property
    def behind(self) -> bool:
        """The generator, not the component, limited this level."""
        return (
            self.late > _LATE_SHARE * max(self.sent, 1) or self.sent < _SENT_SHARE * self.scheduled
        )


@dataclass
class _Pool:
    host: str
    port: int
    limit: int
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = field(default_factory=list)
    open: int = 0
    freed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        async with self.freed:
            while not self.idle and self.open >= self.limit:
                await self.freed.wait()
            if self.idle:
                return self.idle.pop()
            self.open += 1
        try:
            return await asyncio.open_connection(self.host, self.port)
        except OSError:
            await self.drop()
            raise

    async def give(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        async with self.freed:
            self.idle.append(conn)
            self.freed.notify()

    async def drop(self) -> None:
        async with self.freed:
            self.open -= 1
            self.freed.notify()

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def _one(pool: _Pool, request: bytes, due: float, level: Level, second: int) -> None:
    conn = None
    try:
        conn = await pool.take()
        conn[1].write(request)
        head = await conn[0].readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await conn[0].readexactly(length)
        ok = head.startswith(b"HTTP/1.1 2")
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        ok = False
        if conn is not None:
            conn[1].close()
            await pool.drop()
        conn = None
    if conn is not None:
        await pool.give(conn)
    if ok:
        level.seconds[second].record_value(max(1, int((time.monotonic() - due) * 1e6)))
        level.ok[second] += 1
    else:
        level.errors[second] += 1


async def run_level(
    url: str,
    rate: float,
    duration_s: float,
    *,
    seed: int,
    max_connections: int = 2000,
    late_s: float = 0.010,
    timeout_s: float = 5.0,
) -> Level:
    """Offer `rate` requests/s for `duration_s`, then wait up to `timeout_s` for answers."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    n = max(1, int(duration_s))
    level = Level(rate, [Histogram() for _ in range(n)], [0] * n, [0] * n)
    rng = random.Random(seed)
    pool = _Pool(host, port, max_connections)
    tasks: set[asyncio.Task[None]] = set()
    start = time.monotonic() + 0.05
    offset = rng.expovariate(rate)
    while offset < n:
        level.scheduled += 1
        due = start + offset
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        if time.monotonic() - due > late_s:
            level.late += 1
        task = asyncio.create_task(_one(pool, request, due, level, int(offset)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        level.sent += 1
        level.inflight_peak = max(level.inflight_peak, len(tasks))
        offset += rng.expovariate(rate)
    if tasks:
        _, pending = await asyncio.wait(set(tasks), timeout=timeout_s)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        level.errors[-1] += len(pending)
    pool.close()
    return level
