"""The capacity analysis without sockets: USL recovery, the search rule, bounds, the plan."""

from __future__ import annotations

import numpy as np
import pytest

from livefire.base.histogram import Histogram
from livefire.capacity.bounds import Bound, percentile_bound, ratio_bound
from livefire.capacity.plan import TIERS, Component, inconsistencies, plan_line
from livefire.capacity.search import Outcome, Search, judge
from livefire.capacity.usl import ExtrapolationRefused, fit, usl


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_usl_recovers_sigma_and_kappa_from_noisy_points(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = np.array([1, 2, 4, 8, 12, 16, 24, 32, 48, 64.0])
    x = usl(n, 100.0, 0.05, 0.001) * (1 + rng.normal(0, 0.02, n.size))
    got = fit(n, x, resamples=100, seed=seed)
    assert got.sigma.value == pytest.approx(0.05, rel=0.25)
    assert got.kappa.value == pytest.approx(0.001, rel=0.25)
    assert got.sigma.low <= 0.05 <= got.sigma.high or abs(got.sigma.value - 0.05) < 0.01
    assert got.peak_concurrency == pytest.approx((0.95 / 0.001) ** 0.5, rel=0.2)
    assert got.r_squared > 0.95


def test_usl_refuses_to_extrapolate_past_twice_the_largest_load() -> None:
    n = np.array([1, 2, 4, 8.0])
    got = fit(n, usl(n, 10.0, 0.1, 0.01), resamples=20)
    assert got.predict(16) > 0
    with pytest.raises(ExtrapolationRefused, match="past 2"):
        got.predict(16.5)


def test_usl_needs_three_loads() -> None:
    with pytest.raises(ValueError, match="3 distinct"):
        fit([1, 2, 2], [1, 2, 2])


def _run(search: Search, outcome_of) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        load = search.next_load()
        if load is None:
            return
        search.record(load, outcome_of(load))
    raise AssertionError("search did not stop")


def test_search_converges_on_a_deterministic_limit() -> None:
    search = Search(start=10)
    _run(search, lambda load: Outcome.PASS if load < 363.7 else Outcome.FAIL)
    result = search.result()
    assert result is not None and result.status == "found"
    assert result.highest_pass is not None and result.lowest_fail is not None
    assert result.highest_pass < 363.7 <= result.lowest_fail
    assert result.lowest_fail - result.highest_pass <= 0.05 * result.highest_pass


def test_search_converges_when_levels_near_the_limit_are_uncertain() -> None:
    rng = np.random.default_rng(4)

    def noisy(load: float) -> Outcome:
        if abs(load - 500) < 10 and rng.random() < 0.5:
            return Outcome.UNCERTAIN
        return Outcome.PASS if load < 500 else Outcome.FAIL

    search = Search(start=30)
    _run(search, noisy)
    result = search.result()
    assert result is not None and result.status == "found"
    assert result.highest_pass is not None and result.lowest_fail is not None
    assert result.highest_pass < 500 <= result.lowest_fail


def test_a_blurred_limit_wider_than_the_tolerance_is_inconclusive_with_both_bounds() -> None:
    search = Search(start=100)
    _run(
        search,
        lambda load: (
            Outcome.PASS if load < 300 else Outcome.FAIL if load > 400 else Outcome.UNCERTAIN
        ),
    )
    result = search.result()
    assert result is not None and result.status == "inconclusive"
    assert result.highest_pass is not None and result.highest_pass < 300
    assert result.lowest_fail is not None and result.lowest_fail > 400


def test_a_generator_that_fell_behind_is_never_a_breakpoint() -> None:
    search = Search(start=100)
    _run(search, lambda load: Outcome.PASS if load < 400 else Outcome.BEHIND)
    result = search.result()
    assert result is not None and result.status == "inconclusive"
    assert result.lowest_fail is None and "fell behind" in result.reason
    assert search.attempts[400] == [Outcome.BEHIND] * 3


def test_out_of_time_keeps_both_bounds() -> None:
    search = Search(start=100)
    for load, outcome in ((100, Outcome.PASS), (200, Outcome.FAIL)):
        search.record(load, outcome)
    result = search.out_of_time()
    assert (result.status, result.highest_pass, result.lowest_fail) == ("inconclusive", 100, 200)


def test_judge_passes_on_the_upper_bound_and_fails_on_the_lower() -> None:
    limits = {"p95": 150.0}
    assert judge({"p95": Bound(100, 90, 140)}, limits, False) is Outcome.PASS
    assert judge({"p95": Bound(200, 160, 240)}, limits, False) is Outcome.FAIL
    assert judge({"p95": Bound(145, 130, 170)}, limits, False) is Outcome.UNCERTAIN
    assert judge({}, limits, False) is Outcome.UNCERTAIN
    assert judge({"p95": Bound(100, 90, 140)}, limits, True) is Outcome.BEHIND


def _seconds(values_ms: list[list[int]]) -> list[Histogram]:
    out = []
    for second in values_ms:
        h = Histogram()
        for v in second:
            h.record_value(v * 1000)
        out.append(h)
    return out


def test_percentile_bound_brackets_the_point_and_narrows_with_data() -> None:
    rng = np.random.default_rng(0)
    short = _seconds([list(rng.integers(1, 100, 200)) for _ in range(5)])
    long = _seconds([list(rng.integers(1, 100, 200)) for _ in range(40)])
    a, b = percentile_bound(short, 95), percentile_bound(long, 95)
    assert a is not None and b is not None
    assert a.low <= a.value <= a.high and b.low <= b.value <= b.high
    assert b.high - b.low <= a.high - a.low
    assert 90_000 <= b.value <= 100_000
    assert percentile_bound(_seconds([[]]), 95) is None


def test_ratio_bound() -> None:
    got = ratio_bound([1] * 10, [100] * 10)
    assert got is not None and got.value == pytest.approx(0.01) and got.low <= 0.01 <= got.high


def test_plan_doubles_when_per_node_capacity_halves() -> None:
    full = plan_line(Component("edge", 100_000, per_viewer=1), TIERS[2])
    half = plan_line(Component("edge", 50_000, per_viewer=1), TIERS[2])
    spares = len(full.nodes)
    assert abs((half.total - spares) - 2 * (full.total - spares)) <= spares
    assert full.monthly_usd == pytest.approx(full.total * 1440)


def test_plan_covers_the_biggest_failover_and_headroom() -> None:
    line = plan_line(Component("edge", 1000, per_viewer=1), 1_000_000, growth_per_s=0)
    # NA holds its own 24% plus APAC's 50% when APAC dies: 740 nodes, + 1 spare
    assert line.nodes["na"] == 741
    grown = plan_line(Component("edge", 1000, per_viewer=1), 1_000_000, growth_per_s=1000)
    assert grown.nodes["na"] == 741 + 18  # 1000/s × 75 s × 24%


def test_documented_inconsistencies_are_flagged() -> None:
    found = inconsistencies(totals={"boxes": 1_000_000, "pie": 1_200_000})
    assert any("edge: 500 nodes" in f for f in found)
    assert any("monthly totals disagree" in f for f in found)
