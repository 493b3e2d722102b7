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

Passive samples narrow the bound only where responses happen to fall: viewers poll on the
segment cadence, so a worker's few dozen viewers sit at a few fixed phases of the second and
the bound can stay hundreds of milliseconds wide. `bisecting_send` says when to send one more
request so that the server's Date flips during it: whichever Date comes back, the bound halves
(`loadgen.clock_probe` sends those, a handful per worker).

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
        self.rtt = math.inf  # the shortest send-to-first-byte seen: how narrow it can get
        self._dates: dict[str, float | None] = {}

    def observe(self, headers: Mapping[str, str], sent: float, first_byte: float) -> None:
        """Narrow the bound with one response (lower-case header names, as HttpResult has)."""
        if first_byte <= 0 or first_byte < sent:
            return
        date = self._parse(headers.get("date"))
        if date is not None:
            self.rtt = min(self.rtt, first_byte - sent)
            self.add(date - first_byte, date + 1.0 - sent)

    def settled(self, floor: float = 0.005) -> bool:
        """Is the bound as narrow as a round trip allows (or as `floor`)? No sample yet: no."""
        if not self.samples:
            return False
        rtt = 0.0 if math.isinf(self.rtt) else self.rtt
        return self.hi - self.lo <= max(floor, 1.5 * rtt)

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

    def bisecting_send(self, now: float, lead: float = 0.05) -> float | None:
        """When (our clock) to send a request whose Date halves the bound: the server's clock
        ticks whole seconds, at our k − offset, so a request sent at k − mid − rtt/2 reaches
        the server as it ticks if the offset is mid. A Date of k proves the offset above
        about mid, one of k − 1 below it. At least `lead` from `now`; None with no bound."""
        if not self.samples or math.isinf(self.rtt):
            return None
        mid = (self.lo + self.hi) / 2
        tick = math.ceil(now + lead + mid + self.rtt / 2)
        return tick - mid - self.rtt / 2

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
