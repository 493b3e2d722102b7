"""Every percentile livefire reports is nearest-rank (ceil), not rounded to nearest."""

import pytest

from livefire.base import telemetry as tm
from livefire.base.percentiles import nearest_rank, rank
from livefire.verdict.slis import SLIS


def seconds_of(samples: list[float]) -> list[tm.Second]:
    second = tm.Second(0)
    for value in samples:
        second.observe(tm.STREAM_LATENCY, value)
    return [second]


def test_p95_of_48_fast_and_3_slow_samples_is_slow() -> None:
    # 3 of 51 samples (5.9%) take 900 ms: p95 must be 900 ms (rank ceil(48.45) = 49)
    measured = SLIS.get("stream_latency_p95").measure(seconds_of([0.1] * 48 + [0.9] * 3))
    assert measured is not None and abs(measured - 0.9) < 0.9 * 0.001


@pytest.mark.parametrize(
    ("q", "count", "expected"),
    [
        (95, 20, 19),
        (95, 21, 20),
        (95, 51, 49),
        (99, 100, 99),
        (99.9, 1000, 999),
        (0, 7, 1),
        (100, 7, 7),
        (50, 1, 1),
        (50, 2, 1),
        (50, 3, 2),
    ],
)
def test_rank_is_the_ceiling(q: float, count: int, expected: int) -> None:
    assert rank(q, count) == expected


def test_a_percentile_of_nothing_is_none() -> None:
    assert nearest_rank(tm.new_histogram(), 95) is None


def test_startup_p95_counts_failures_by_rank_too() -> None:
    second = tm.Second(0)
    for _ in range(48):
        second.observe(tm.STARTUP, 0.5)
    second.observe(tm.STARTUP, 3.0)
    second.count(tm.STARTUP_FAILURES, 2)  # 51 attempts; rank 49 is the 3 s start
    measured = SLIS.get("startup_time_p95").measure([second])
    assert measured is not None and abs(measured - 3.0) < 3.0 * 0.001
    second.count(tm.STARTUP_FAILURES, 1)  # 52 attempts, rank 50: a failure, "never"
    assert SLIS.get("startup_time_p95").measure([second]) == float("inf")
