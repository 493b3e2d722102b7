"""How far this load generator's clock is from the platform's, from the `Date` headers of the
responses it already gets.

Stream latency subtracts a time the platform wrote (`EXT-X-PROGRAM-DATE-TIME`) from a time the
viewer read off its own clock, so a generator whose clock runs 300 ms behind would report
300 ms less latency than viewers see — a false green. No extra requests are needed: a response
stamped `Date: D` (whole seconds, RFC 9110) was prepared while the server's clock read
[D, D + 1) and ours read [sent, first_byte], so the offset (server − ours) lies in
(D − first_byte, D + 1 − sent). Intersecting those intervals over many responses, which fall at
every phase of the second, narrows the bound to about a round trip (Cristian's algorithm, with
interval arithmetic instead of a single best sample).

Pure: fed header values and timestamps, it never reads a clock itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime

from livefire.base.telemetry import ClockBounds

_DATE_CACHE_MAX = 64  # distinct Date values kept parsed (they change once a second)


class ClockEstimator:
    """Bounds on (server clock − this clock), narrowed by every response that has a Date."""

    def __init__(self) -> None:
        self.lo = -math.inf
        self.hi = math.inf
        self.samples = 0
        self.inconsistent = 0  # samples that contradicted the bound so far
        self.worst = 0.0  # the farthest a contradicting sample fell from the bound, s
        self._dates: dict[str, float | None] = {}

    def observe(self, headers: Mapping[str, str], sent: float, first_byte: float) -> None:
        """Narrow the bound with one response (lower-case header names, as HttpResult has)."""
        if first_byte <= 0 or first_byte < sent:
            return
        date = self._parse(headers.get("date"))
        if date is not None:
            self.add(date - first_byte, date + 1.0 - sent)

    def add(self, lo: float, hi: float) -> None:
        """One interval the offset must lie in. A sample that contradicts the others (servers
        whose clocks disagree, or a clock that stepped) is counted, not used: it is evidence
        that the bound cannot be trusted, which the verdict weighs."""
        new_lo, new_hi = max(self.lo, lo), min(self.hi, hi)
        if new_lo > new_hi:
            self.inconsistent += 1
            self.worst = max(self.worst, new_lo - new_hi)
            return
        self.lo, self.hi = new_lo, new_hi
        self.samples += 1

    def bounds(self) -> ClockBounds | None:
        if not self.samples:
            return None
        return ClockBounds(self.lo, self.hi, self.samples, self.inconsistent, self.worst)

    def _parse(self, value: str | None) -> float | None:
        if not value:
            return None
        if value not in self._dates:
            if len(self._dates) >= _DATE_CACHE_MAX:
                self._dates.clear()
            try:
                parsed = parsedate_to_datetime(value)
                if parsed.tzinfo is None:  # "-0000": HTTP dates are always GMT
                    parsed = parsed.replace(tzinfo=UTC)
                self._dates[value] = parsed.timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                self._dates[value] = None
        return self._dates[value]
