"""Confidence bounds of a percentile (or a ratio) over per-second telemetry: a moving-block
bootstrap, because seconds near a queue's limit are correlated (a queue that built up in one
second is still there in the next), which an i.i.d. resample would ignore and so claim too
narrow an interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from livefire.base.histogram import Histogram, highest_equivalent
from livefire.base.percentiles import rank


@dataclass(frozen=True)
class Bound:
    """A point estimate with its two-sided interval (`level`, e.g. 0.90 → 5%..95%)."""

    value: float
    low: float
    high: float


def _matrix(seconds: Sequence[Histogram]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(seconds × union-of-buckets counts, the buckets' values), from the sparse forms."""
    parts = [h.sparse() for h in seconds]
    union = np.unique(np.concatenate([i for i, _ in parts])) if parts else np.zeros(0, np.uint16)
    out = np.zeros((len(parts), union.size), np.int64)
    for row, (index, counts) in enumerate(parts):
        out[row, np.searchsorted(union, index)] = counts
    return out, highest_equivalent(union.astype(np.uint16))


def _blocks(n: int, block: int, resamples: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """How many times each second is drawn in each resample (resamples × n)."""
    block = max(1, min(block, n))
    starts = rng.integers(0, n - block + 1, size=(resamples, math.ceil(n / block)))
    picks = (starts[:, :, None] + np.arange(block)).reshape(resamples, -1)[:, :n]
    weights = np.zeros((resamples, n), np.int64)
    np.add.at(weights, (np.arange(resamples)[:, None], picks), 1)
    return weights


def default_block(n: int) -> int:
    """n^(1/3) seconds, the usual rate for a block bootstrap of a smooth statistic."""
    return max(1, round(n ** (1 / 3)))


def percentile_bound(
    seconds: Sequence[Histogram],
    q: float,
    *,
    level: float = 0.90,
    resamples: int = 400,
    block: int | None = None,
    seed: int = 0,
) -> Bound | None:
    """The q-th percentile of the seconds merged, with its bootstrap interval (µs);
    None without samples."""
    counts, values = _matrix(seconds)
    if not counts.size or counts.sum() == 0:
        return None
    rng = np.random.default_rng(seed)
    weights = _blocks(len(seconds), block or default_block(len(seconds)), resamples, rng)
    merged = np.vstack([counts.sum(axis=0), weights @ counts])
    cumulative = np.cumsum(merged, axis=1)
    totals = cumulative[:, -1]
    ranks = np.array([rank(q, int(t)) for t in totals])
    at = np.array([np.searchsorted(row, r) for row, r in zip(cumulative, ranks, strict=True)])
    picked = values[np.minimum(at, values.size - 1)].astype(float)
    tail = (1 - level) / 2
    low, high = np.quantile(picked[1:], [tail, 1 - tail])
    return Bound(float(picked[0]), float(low), float(high))


def ratio_bound(
    bad: Sequence[int],
    total: Sequence[int],
    *,
    level: float = 0.90,
    resamples: int = 400,
    block: int | None = None,
    seed: int = 0,
) -> Bound | None:
    """Σbad/Σtotal over the seconds (e.g. the error rate) with its block-bootstrap interval."""
    b, t = np.asarray(bad, np.int64), np.asarray(total, np.int64)
    if not t.size or t.sum() == 0:
        return None
    rng = np.random.default_rng(seed)
    weights = _blocks(t.size, block or default_block(t.size), resamples, rng)
    ratios = (weights @ b) / np.maximum(weights @ t, 1)
    tail = (1 - level) / 2
    low, high = np.quantile(ratios, [tail, 1 - tail])
    return Bound(float(b.sum() / t.sum()), float(low), float(high))
