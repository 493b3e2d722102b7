"""Adaptive bitrate, as a cautious player does it: start on the lowest rendition, estimate
throughput from what segments actually took, step up only with headroom and a full enough
buffer, step down at once when the estimate falls short, and never switch twice within
`hold` seconds (hysteresis). Pure: every call is given the time."""

from __future__ import annotations

from dataclasses import dataclass, field

UP_HEADROOM = 1.5  # estimated throughput must exceed the next rendition's bitrate by this
DOWN_MARGIN = 1.1  # step down when the estimate is below the current bitrate × this
MIN_BUFFER_UP_S = 1.0  # never step up with less than this buffered
ALPHA = 0.3  # weight of the newest sample in the throughput estimate


@dataclass
class Abr:
    bandwidths: list[int]  # bits per second, ascending
    hold: float = 5.0  # seconds between switches
    index: int = 0  # conservative start: the lowest rendition
    estimate: float | None = None  # bits per second
    last_switch: float = field(default=-1e9)

    def observe(self, size_bytes: int, seconds: float) -> None:
        """A segment of `size_bytes` took `seconds` from first to last byte."""
        if size_bytes <= 0:
            return
        sample = size_bytes * 8 / max(seconds, 1e-3)
        self.estimate = (
            sample if self.estimate is None else (ALPHA * sample + (1 - ALPHA) * self.estimate)
        )

    def decide(self, buffer_s: float, now: float, stalled: bool = False) -> int:
        """The rendition to fetch next: -1, 0 or +1 step from the current one."""
        if self.estimate is None or now - self.last_switch < self.hold:
            return self.index
        current = self.bandwidths[self.index]
        if self.index > 0 and (stalled or self.estimate < current * DOWN_MARGIN):
            return self._switch(self.index - 1, now)
        upper = self.index + 1
        if (
            upper < len(self.bandwidths)
            and buffer_s >= MIN_BUFFER_UP_S
            and self.estimate > self.bandwidths[upper] * UP_HEADROOM
        ):
            return self._switch(upper, now)
        return self.index

    def _switch(self, index: int, now: float) -> int:
        self.index, self.last_switch = index, now
        return index
