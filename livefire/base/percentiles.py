"""Percentiles by the nearest-rank definition, which every figure livefire reports uses.

The p-th percentile of N samples is the smallest sample such that at least p% of the samples
are at or below it: the one of rank ⌈p·N/100⌉ (rank 1 for p = 0). HdrHistogram's own
`get_value_at_percentile` rounds the rank to nearest instead, so p95 of 48 samples of 100 ms
and 3 of 900 ms reads 100 ms although 3 of 51 (5.9%) exceed it — a promise read as kept.
"""

from __future__ import annotations

import math
from fractions import Fraction

from hdrh.histogram import HdrHistogram

from livefire.base.histogram import Histogram


def rank(q: float, count: int) -> int:
    """The nearest rank (1-based) of the q-th percentile among `count` samples; exact for
    percentiles written in decimal (95, 99.9), where float products would round up wrongly."""
    return max(1, math.ceil(Fraction(str(q)) * count / 100))


def value_at_rank(hist: HdrHistogram | Histogram, target: int) -> int:
    """The recorded value (its bucket's highest equivalent) of the `target`-th smallest sample."""
    if isinstance(hist, Histogram):
        return hist.value_at_rank(target) if hist.get_total_count() else 0
    seen = 0
    for index in range(hist.counts_len):
        seen += hist.get_count_at_index(index)
        if seen >= target:
            return int(hist.get_highest_equivalent_value(hist.get_value_from_index(index)))
    return int(hist.get_max_value())


def nearest_rank(hist: HdrHistogram | Histogram, q: float) -> int | None:
    """The q-th percentile of the histogram's samples, None when it has none."""
    count = hist.get_total_count()
    if count == 0:
        return None
    return value_at_rank(hist, rank(min(q, 100.0), count))
