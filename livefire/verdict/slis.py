"""SLIs: how each promise is measured from merged per-second telemetry.

Every SLI registers by the name a scenario uses in `slos:`; its `measure` is a pure function
of a list of seconds, returning None when there is no data (which never passes).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from livefire.base import telemetry as tm
from livefire.base.percentiles import nearest_rank, rank, value_at_rank
from livefire.base.registry import Registry


@dataclass(frozen=True)
class Sli:
    name: str
    unit: str  # "s" (shown in ms) or "ratio" (shown in %)
    higher_is_better: bool
    measure: Callable[[Sequence[tm.Second]], float | None]
    documented: str = ""  # the figure DESIGN.md documents for production, for the report
    per_second: bool = True  # meaningful second by second (recovery is judged only on these)
    # how many samples a stretch of seconds holds, and how many one recovery window needs:
    # a sparse SLI is judged over windows of several seconds (see verdict.recovery)
    samples: Callable[[Sequence[tm.Second]], int] | None = None
    min_samples: int = 1
    impossible: Callable[[Sequence[tm.Second]], str | None] | None = None  # broken accounting
    # a duration SLI's share of samples worse than a threshold (s): how many users a breach
    # reached, which the incident cost prices (a ratio SLI's failed share is its own value)
    over: Callable[[Sequence[tm.Second], float], float | None] | None = None

    @property
    def comparator(self) -> str:
        return ">=" if self.higher_is_better else "<="

    def holds(self, measured: float, threshold: float) -> bool:
        return measured >= threshold if self.higher_is_better else measured <= threshold


SLIS: Registry[Sli] = Registry("SLI")


def merged(seconds: Sequence[tm.Second], metric: str) -> tm.Histogram | None:
    """The seconds' histograms of `metric` added (compact: see livefire.base.histogram)."""
    total: tm.Histogram | None = None
    for second in seconds:
        hist = second.histograms.get(metric)
        if hist is not None:
            total = tm.new_histogram() if total is None else total
            total.add(hist)
    return total


def percentile(metric: str, q: float) -> Callable[[Sequence[tm.Second]], float | None]:
    def measure(seconds: Sequence[tm.Second]) -> float | None:
        hist = merged(seconds, metric)
        value = None if hist is None else nearest_rank(hist, q)
        return None if value is None else value / 1e6

    return measure


def mean(metric: str) -> Callable[[Sequence[tm.Second]], float | None]:
    """The mean of the merged histogram (exact to its 3 significant digits)."""

    def measure(seconds: Sequence[tm.Second]) -> float | None:
        hist = merged(seconds, metric)
        if hist is None or hist.get_total_count() == 0:
            return None
        return float(hist.get_mean_value()) / 1e6

    return measure


def share_over(metric: str, *failures: str) -> Callable[[Sequence[tm.Second], float], float | None]:
    """The share of samples (and of attempts that failed, which never ended) longer than a
    threshold in seconds; None with no samples."""

    def share(seconds: Sequence[tm.Second], threshold: float) -> float | None:
        hist = merged(seconds, metric)
        done = 0 if hist is None else hist.get_total_count()
        failed = sum(total(seconds, f) for f in failures)
        if done + failed == 0:
            return None
        late = 0 if hist is None else hist.count_over(round(threshold * 1e6))
        return (late + failed) / (done + failed)

    return share


def total(seconds: Sequence[tm.Second], counter: str) -> int:
    return sum(s.counters.get(counter, 0) for s in seconds)


def counted(*counters: str) -> Callable[[Sequence[tm.Second]], int]:
    """Samples of a ratio SLI: its denominator's events."""
    return lambda seconds: sum(total(seconds, c) for c in counters)


def observed(metric: str, *failures: str) -> Callable[[Sequence[tm.Second]], int]:
    """Samples of a percentile SLI: the histogram's count (and the attempts that failed)."""

    def count(seconds: Sequence[tm.Second]) -> int:
        hist = merged(seconds, metric)
        done = 0 if hist is None else hist.get_total_count()
        return done + sum(total(seconds, f) for f in failures)

    return count


def for_percentile(q: float) -> int:
    """Samples for a q-th percentile to rest on more than one sample beyond it: p95 → 20."""
    return max(2, math.ceil(100 / (100 - q))) if q < 100 else 100


RATIO_SAMPLES = 10  # a ratio judged over fewer events than this swings by 10% at a time


def ratio(numerator: str, denominator: str) -> Callable[[Sequence[tm.Second]], float | None]:
    def measure(seconds: Sequence[tm.Second]) -> float | None:
        whole = total(seconds, denominator)
        return total(seconds, numerator) / whole if whole else None

    return measure


for _q, _doc in ((50, ""), (95, "p95 240 ms in production"), (99, "p99 320 ms in production")):
    SLIS.add(
        f"stream_latency_p{_q}",
        Sli(
            f"stream_latency_p{_q}",
            "s",
            False,
            percentile(tm.STREAM_LATENCY, _q),
            _doc,
            samples=observed(tm.STREAM_LATENCY),
            min_samples=for_percentile(_q),
            over=share_over(tm.STREAM_LATENCY),
        ),
    )
for _q in (50, 95, 99):
    SLIS.add(
        f"glass_to_glass_p{_q}",
        Sli(
            f"glass_to_glass_p{_q}",
            "s",
            False,
            percentile(tm.GLASS_TO_GLASS, _q),
            "200 ms documented target" if _q == 50 else "",
            samples=observed(tm.GLASS_TO_GLASS),
            min_samples=for_percentile(_q),
            over=share_over(tm.GLASS_TO_GLASS),
        ),
    )
SLIS.add(
    "stream_latency_avg",
    Sli(
        "stream_latency_avg",
        "s",
        False,
        mean(tm.STREAM_LATENCY),
        "avg 185 ms in production",
        samples=observed(tm.STREAM_LATENCY),
        min_samples=RATIO_SAMPLES,
        over=share_over(tm.STREAM_LATENCY),
    ),
)
SLIS.add(
    "viewer_error_rate",
    Sli(
        "viewer_error_rate",
        "ratio",
        False,
        ratio(tm.REQUEST_ERRORS, tm.REQUESTS),
        samples=counted(tm.REQUESTS),
        min_samples=RATIO_SAMPLES,
    ),
)


def with_failures(
    metric: str, failures: str, q: float
) -> Callable[[Sequence[tm.Second]], float | None]:
    """The q-th percentile (nearest rank) when every failure counts as an infinitely long
    sample: infinite ("never") once the rank falls among the failures."""

    def measure(seconds: Sequence[tm.Second]) -> float | None:
        hist = merged(seconds, metric)
        done = 0 if hist is None else hist.get_total_count()
        failed = total(seconds, failures)
        if done + failed == 0:
            return None
        target = rank(q, done + failed)
        if hist is None or target > done:
            return math.inf
        return value_at_rank(hist, target) / 1e6

    return measure


SLIS.add(
    "startup_time_p95",
    Sli(
        "startup_time_p95",
        "s",
        False,
        with_failures(tm.STARTUP, tm.STARTUP_FAILURES, 95),
        samples=observed(tm.STARTUP, tm.STARTUP_FAILURES),
        min_samples=for_percentile(95),
        over=share_over(tm.STARTUP, tm.STARTUP_FAILURES),
    ),
)


def chat_expected(seconds: Sequence[tm.Second]) -> int:
    """Deliveries owed: each message sent in second t is owed to every member of its room."""
    owed = 0
    for second in seconds:
        for name, sent in second.counters.items():
            if name.startswith(tm.CHAT_SENT):
                room = name[len(tm.CHAT_SENT) :]
                owed += sent * second.counters.get(tm.CHAT_MEMBERS + room, 0)
    return owed


def more_receipts_than_owed(seconds: Sequence[tm.Second]) -> str | None:
    """Receipts can never outnumber deliveries owed (one per message id and member): if they
    do, the accounting is broken and no chat figure from it can be trusted."""
    owed, got = chat_expected(seconds), total(seconds, tm.CHAT_RECEIVED)
    if got > owed:
        return f"broken accounting: {got} receipts for {owed} deliveries owed"
    return None


def chat_ratio(counter: str, invert: bool = False) -> Callable[[Sequence[tm.Second]], float | None]:
    """Receipts over deliveries owed. Not clamped: the chatters count each message id once per
    member and only within whole seconds of membership, so receipts above what is owed mean
    broken accounting, which must show rather than read as 100% delivered."""

    def measure(seconds: Sequence[tm.Second]) -> float | None:
        owed = chat_expected(seconds)
        if not owed:
            return None
        got = total(seconds, counter)
        return 1 - got / owed if invert else got / owed

    return measure


def streams_preserved(seconds: Sequence[tm.Second]) -> float | None:
    started = total(seconds, tm.STREAMS_STARTED)
    broken = total(seconds, tm.STREAMS_BROKEN)
    return 1 - broken / started if started else None


SLIS.add(
    "streams_preserved",
    Sli(
        "streams_preserved",
        "ratio",
        True,
        streams_preserved,
        "99.2% through a transcoding cluster failure",
        per_second=False,  # a share of viewer sessions, not of seconds
    ),
)
SLIS.add(
    "chat_delivered_within_100ms",
    Sli(
        "chat_delivered_within_100ms",
        "ratio",
        True,
        chat_ratio(tm.CHAT_RECEIVED_100MS),
        "99.9% of messages within 100 ms",
        samples=chat_expected,
        min_samples=RATIO_SAMPLES,
        impossible=more_receipts_than_owed,
    ),
)
SLIS.add(
    "chat_loss",
    Sli(
        "chat_loss",
        "ratio",
        False,
        chat_ratio(tm.CHAT_RECEIVED, True),
        samples=chat_expected,
        min_samples=RATIO_SAMPLES,
        impossible=more_receipts_than_owed,
    ),
)
SLIS.add(
    "gift_success",
    Sli(
        "gift_success",
        "ratio",
        True,
        ratio(tm.GIFTS_ACKED, tm.GIFTS_ATTEMPTED),
        "99.99% successful",
        samples=counted(tm.GIFTS_ATTEMPTED),
        min_samples=RATIO_SAMPLES,
    ),
)


def connection_success(seconds: Sequence[tm.Second]) -> float | None:
    errors = ratio(tm.REQUEST_ERRORS, tm.REQUESTS)(seconds)
    return None if errors is None else 1 - errors


SLIS.add(
    "stream_connection_success",
    Sli(
        "stream_connection_success",
        "ratio",
        True,
        connection_success,
        "99.95%",
        samples=counted(tm.REQUESTS),
        min_samples=RATIO_SAMPLES,
    ),
)


def segments_valid(seconds: Sequence[tm.Second]) -> float | None:
    valid, invalid = total(seconds, tm.SEGMENTS_DECODED), total(seconds, tm.SEGMENTS_INVALID)
    return valid / (valid + invalid) if valid + invalid else None


def search_success(seconds: Sequence[tm.Second]) -> float | None:
    errors = ratio(tm.SEARCH_ERRORS, tm.SEARCHES)(seconds)
    return None if errors is None else 1 - errors


SLIS.add(
    "search_latency_p95",
    Sli(
        "search_latency_p95",
        "s",
        False,
        percentile(tm.SEARCH_LATENCY, 95),
        "p95 < 150 ms",
        samples=observed(tm.SEARCH_LATENCY),
        min_samples=for_percentile(95),
        over=share_over(tm.SEARCH_LATENCY),
    ),
)
SLIS.add(
    "search_success",
    Sli(
        "search_success",
        "ratio",
        True,
        search_success,
        samples=counted(tm.SEARCHES),
        min_samples=RATIO_SAMPLES,
    ),
)
SLIS.add(
    "segments_valid",
    Sli(
        "segments_valid",
        "ratio",
        True,
        segments_valid,
        samples=counted(tm.SEGMENTS_DECODED, tm.SEGMENTS_INVALID),
        min_samples=RATIO_SAMPLES,
    ),
)


def quality_held(seconds: Sequence[tm.Second]) -> float | None:
    started = total(seconds, tm.STREAMS_STARTED)
    return 1 - total(seconds, tm.STREAMS_DEGRADED) / started if started else None


def rebuffering_ratio(seconds: Sequence[tm.Second]) -> float | None:
    stalled, watched = total(seconds, tm.STALL_MS), total(seconds, tm.WATCHED_MS)
    return stalled / (stalled + watched) if stalled + watched else None


SLIS.add(
    "quality_held",
    Sli(
        "quality_held",
        "ratio",
        True,
        quality_held,
        "99.5% of streams (no downswitch below target, no stall)",
        per_second=False,  # a share of viewer sessions
    ),
)


def viewers_playing(seconds: Sequence[tm.Second]) -> float | None:
    watching = total(seconds, tm.VIEWERS_WATCHING)
    return 1 - total(seconds, tm.VIEWERS_STALLED) / watching if watching else None


SLIS.add(
    "viewers_playing",
    Sli(
        "viewers_playing",
        "ratio",
        True,
        viewers_playing,
        samples=counted(tm.VIEWERS_WATCHING),
        min_samples=RATIO_SAMPLES,
    ),
)
SLIS.add(
    "rebuffering_ratio",
    Sli(
        "rebuffering_ratio",
        "ratio",
        False,
        rebuffering_ratio,
        samples=lambda seconds: total(seconds, tm.WATCHED_MS) // 1000,  # viewer-seconds
        min_samples=RATIO_SAMPLES,
    ),
)


def format_value(sli: Sli, value: float | None) -> str:
    if value is None:
        return "no data"
    if math.isinf(value):
        return "never"
    if sli.unit == "s":
        return f"{value * 1000:.0f} ms"
    percent = value * 100
    if 0 < 100 - percent < 0.1 or 0 < percent < 0.1:  # 99.99%, 99.995%, 0.02%: keep the digits
        return f"{percent:.4g}%"
    return f"{percent:.3g}%"
