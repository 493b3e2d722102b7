"""A player-buffer model: the buffer grows by each segment's duration as it arrives and drains
in real time once playback has started; an empty buffer is a stall.

Pure and clock-free: every call is given the time, so tests drive it with exact numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Stall:
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class PlayerBuffer:
    level: float = 0.0  # seconds of media buffered
    playing_since: float | None = None
    updated: float = 0.0
    watched: float = 0.0  # seconds of media played
    stalls: list[Stall] = field(default_factory=list)

    def segment_arrived(self, duration: float, now: float) -> Stall | None:
        """Account for playback up to `now`, then add the segment. Returns the stall this
        arrival ended, if the buffer had run dry."""
        stall = self.advance(now)
        self.level += duration
        if self.playing_since is None:
            self.playing_since = now
        return stall

    def advance(self, now: float) -> Stall | None:
        """Drain the buffer up to `now`; a buffer that ran dry is a stall until `now`."""
        if self.playing_since is None:
            self.updated = now
            return None
        elapsed = max(0.0, now - self.updated)
        self.updated = now
        if elapsed <= self.level:
            self.level -= elapsed
            self.watched += elapsed
            return None
        start = now - (elapsed - self.level)
        self.watched += self.level
        self.level = 0.0
        if self.stalls and self.stalls[-1].end >= start - 1e-9:  # the same stall, still going
            self.stalls[-1].end = now
            return self.stalls[-1]
        stall = Stall(start, now)
        self.stalls.append(stall)
        return stall

    def stalled_for(self, now: float) -> float:
        """How long playback has been stalled at `now` (0 while it plays); changes nothing."""
        if self.playing_since is None:
            return 0.0
        dry_at = self.updated + self.level
        if now <= dry_at:
            return 0.0
        ongoing = now - dry_at
        if self.level == 0 and self.stalls and self.stalls[-1].end >= self.updated - 1e-9:
            ongoing += self.stalls[-1].seconds  # the same stall, begun before the last update
        return ongoing

    @property
    def stalled_seconds(self) -> float:
        return sum(s.seconds for s in self.stalls)

    @property
    def rebuffering_ratio(self) -> float:
        total = self.watched + self.stalled_seconds
        return self.stalled_seconds / total if total else 0.0
