"""A player-buffer model: the buffer grows by each segment's duration as it arrives and drains
in real time once playback has started; an empty buffer is a stall.

Time played and time stalled belong to the wall-clock seconds they passed in, whenever the
model learns of them: `take(now)` hands both over second by second, so a stall is booked into
every second it lasted, whether a segment ends it, the session is abandoned, or the run ends.

Pure and clock-free: every call is given the time, so tests drive it with exact numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

PLAYED, STALLED = 0, 1  # the two slots of an unbooked second


@dataclass
class Stall:
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class Taken:
    """What `take` hands over: per wall-clock second, seconds played and seconds stalled; and
    the stalls that began (were first seen) since the last take."""

    seconds: dict[int, tuple[float, float]]
    new_stalls: list[Stall]


@dataclass
class PlayerBuffer:
    level: float = 0.0  # seconds of media buffered
    playing_since: float | None = None
    updated: float = 0.0
    watched: float = 0.0  # seconds of media played
    stalls: list[Stall] = field(default_factory=list)
    dry: bool = False  # the buffer ran out and no segment has arrived since
    unbooked: dict[int, list[float]] = field(default_factory=dict)  # second → [played, stalled]
    stalls_taken: int = 0  # how many of `stalls` a take has handed over

    def segment_arrived(self, duration: float, now: float) -> Stall | None:
        """Account for playback up to `now`, then add the segment. Returns the stall this
        arrival ended, if the buffer had run dry."""
        stall = self.advance(now)
        if stall is None and self.dry:  # an earlier advance (a tick) saw the stall up to now
            stall = self.stalls[-1]
        self.dry = False
        self.level += duration
        if self.playing_since is None:
            self.playing_since = now
        return stall

    def advance(self, now: float) -> Stall | None:
        """Drain the buffer up to `now`; a buffer that ran dry is a stall until `now`. A `now`
        earlier than the last update (an arrival stamped before a tick) changes nothing."""
        if self.playing_since is None:
            self.updated = now
            return None
        start = self.updated
        elapsed = max(0.0, now - start)
        self.updated = max(start, now)
        if elapsed <= self.level:
            self.level -= elapsed
            self.watched += elapsed
            _spread(self.unbooked, start, start + elapsed, PLAYED)
            return None
        dry_at = start + self.level
        self.watched += self.level
        _spread(self.unbooked, start, dry_at, PLAYED)
        _spread(self.unbooked, dry_at, now, STALLED)
        self.level = 0.0
        self.dry = True
        if self.stalls and self.stalls[-1].end >= dry_at - 1e-9:  # the same stall, still going
            self.stalls[-1].end = now
            return self.stalls[-1]
        stall = Stall(dry_at, now)
        self.stalls.append(stall)
        return stall

    def take(self, now: float) -> Taken:
        """Advance to `now` and hand over what no take has yet: the time played and stalled,
        split at whole seconds, and the stalls begun. Call it often (each second, each
        arrival) and once more when the session ends, however it ends."""
        self.advance(now)
        seconds = {t: (slots[PLAYED], slots[STALLED]) for t, slots in self.unbooked.items()}
        self.unbooked = {}
        new_stalls = self.stalls[self.stalls_taken :]
        self.stalls_taken = len(self.stalls)
        return Taken(seconds, new_stalls)

    def stalled_for(self, now: float) -> float:
        """How long playback has been stalled at `now` (0 while it plays); changes nothing."""
        if self.playing_since is None:
            return 0.0
        dry_at = self.updated + self.level
        if now <= dry_at:
            return 0.0
        ongoing = now - dry_at
        if self.dry and self.stalls:
            ongoing += self.stalls[-1].seconds  # the same stall, begun before the last update
        return ongoing

    @property
    def stalled_seconds(self) -> float:
        return sum(s.seconds for s in self.stalls)

    @property
    def rebuffering_ratio(self) -> float:
        total = self.watched + self.stalled_seconds
        return self.stalled_seconds / total if total else 0.0


def _spread(into: dict[int, list[float]], start: float, end: float, slot: int) -> None:
    """Add the span [start, end) to `slot` of each wall-clock second it overlaps."""
    t = math.floor(start)
    while start < end:
        upto = min(end, t + 1)
        into.setdefault(t, [0.0, 0.0])[slot] += upto - start
        start, t = upto, t + 1
