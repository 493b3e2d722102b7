"""Which load to try next: bracket by doubling, then bisect, until the breaking point is
pinned within a tolerance. Pure: the runner measures a level, `judge` turns its bounds into an
`Outcome`, `Search.record` takes it, `Search.next_load` says what to run (None: done).

A level passes when the upper bound of every SLI is inside its SLO and fails when the lower
bound of one is outside; otherwise it is uncertain and is extended (held again, its seconds
added) up to `max_attempts`. A level where the generator fell behind is BEHIND: it is repeated
like an uncertain one, and if it stays behind the search stops INCONCLUSIVE, because a
generator that cannot offer the load says nothing about the component.

Capacity is taken as monotone: a pass above a level that stayed uncertain (or failed) is not
trusted as the lower bound, so the reported interval [highest pass, lowest fail] always
holds every level the search could not decide.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from livefire.capacity.bounds import Bound


class Outcome(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    UNCERTAIN = "uncertain"
    BEHIND = "behind"


def judge(bounds: Mapping[str, Bound | None], limits: Mapping[str, float], behind: bool) -> Outcome:
    """One level's outcome from each SLI's bound and its limit (bigger is worse). An SLI
    without data is uncertain: "no data" must never read as a pass."""
    if behind:
        return Outcome.BEHIND
    verdicts = []
    for name, limit in limits.items():
        bound = bounds.get(name)
        if bound is None:
            verdicts.append(Outcome.UNCERTAIN)
        elif bound.low > limit:
            verdicts.append(Outcome.FAIL)
        elif bound.high <= limit:
            verdicts.append(Outcome.PASS)
        else:
            verdicts.append(Outcome.UNCERTAIN)
    if Outcome.FAIL in verdicts:
        return Outcome.FAIL
    return Outcome.UNCERTAIN if Outcome.UNCERTAIN in verdicts else Outcome.PASS


@dataclass(frozen=True)
class SearchResult:
    """`found`: capacity = highest_pass, the breaking point lies in [highest_pass,
    lowest_fail]; `inconclusive`: either bound may be None, `reason` says why."""

    status: str
    highest_pass: float | None
    lowest_fail: float | None
    reason: str


@dataclass
class Search:
    start: float
    tolerance: float = 0.05
    max_attempts: int = 3
    max_load: float = 1e9
    min_load: float = 1e-6
    attempts: dict[float, list[Outcome]] = field(default_factory=dict)
    stopped: SearchResult | None = None

    def record(self, load: float, outcome: Outcome) -> None:
        self.attempts.setdefault(load, []).append(outcome)

    def final(self, load: float) -> Outcome | None:
        """A level's outcome once settled (None while it may still be extended)."""
        seen = self.attempts.get(load, [])
        if not seen:
            return None
        last = seen[-1]
        if last in (Outcome.PASS, Outcome.FAIL) or len(seen) >= self.max_attempts:
            return last
        return None

    def _loads(self, outcome: Outcome) -> list[float]:
        return sorted(load for load in self.attempts if self.final(load) is outcome)

    def out_of_time(self) -> SearchResult:
        self.stopped = self._result("inconclusive", "the time budget ran out")
        return self.stopped

    def _result(self, status: str, reason: str) -> SearchResult:
        passes, fails = self._loads(Outcome.PASS), self._loads(Outcome.FAIL)
        unsure = self._loads(Outcome.UNCERTAIN)
        ceiling = min([*fails, *unsure], default=None)
        passes = [p for p in passes if ceiling is None or p < ceiling]  # monotone: see above
        return SearchResult(
            status, passes[-1] if passes else None, fails[0] if fails else None, reason
        )

    def result(self) -> SearchResult | None:
        return self.stopped

    def next_load(self) -> float | None:
        """The load to run next (the same one to extend it), or None once stopped."""
        if self.stopped:
            return None
        for load in self.attempts:
            if self.final(load) is None:
                return load  # uncertain or behind: hold it again
        behind = self._loads(Outcome.BEHIND)
        if behind:
            why = f"the generator fell behind at {behind[0]:g} (not a breakpoint)"
            return self._stop("inconclusive", why)
        passes, fails = self._loads(Outcome.PASS), self._loads(Outcome.FAIL)
        unsure = self._loads(Outcome.UNCERTAIN)
        if not self.attempts:
            return self.start
        if not fails:
            top = max(passes + unsure)
            if top * 2 > self.max_load:
                return self._stop("inconclusive", f"no failure up to max_load {self.max_load:g}")
            return top * 2
        if not passes:
            bottom = min(fails + unsure) / 2
            if bottom < self.min_load:
                return self._stop("inconclusive", f"fails even at {self.min_load:g}")
            return bottom
        high = fails[0]
        ceiling = min([high, *unsure])  # a pass above an unsure level is not trusted
        below = [p for p in passes if p < ceiling]
        if not below:
            bottom = ceiling / 2
            if bottom < self.min_load:
                return self._stop("inconclusive", f"fails even at {self.min_load:g}")
            return bottom
        low = below[-1]
        if high - low <= self.tolerance * low:
            return self._stop("found", f"pass and fail within {self.tolerance:.0%}")
        edges = [low, *[u for u in unsure if low < u < high], high]
        width, left = max((b - a, a) for a, b in itertools.pairwise(edges))
        if width <= self.tolerance * low / 2:
            why = f"uncertain between {low:g} and {high:g}, wider than the tolerance"
            return self._stop("inconclusive", why)
        return left + width / 2

    def _stop(self, status: str, reason: str) -> float | None:
        self.stopped = self._result(status, reason)
        return None
