"""Clock offset from Date headers: interval intersection, against a simulated server clock."""

import itertools
import random
from email.utils import formatdate

import pytest

from livefire.base import telemetry as tm
from livefire.base.telemetry import ClockBounds
from livefire.scenario.schema import Slos
from livefire.verdict.engine import evaluate
from loadgen.clock import ClockEstimator


def exchanges(offset: float, n: int, rtt: float = 0.004, seed: int = 1) -> ClockEstimator:
    """`n` requests at random phases of the second to a server whose clock is ours + offset;
    the server stamps its Date at a random instant between our send and its first byte."""
    rng, clock = random.Random(seed), ClockEstimator()
    for _ in range(n):
        sent = 1_700_000_000 + rng.uniform(0, 120)
        first_byte = sent + rtt
        server_now = rng.uniform(sent, first_byte) + offset
        clock.observe({"date": formatdate(server_now, usegmt=True)}, sent, first_byte)
    return clock


@pytest.mark.parametrize("offset", [0.0, 0.3, -0.75, 12.34])
def test_the_bound_holds_the_true_offset_and_narrows_to_about_a_round_trip(offset: float) -> None:
    bounds = exchanges(offset, 400).bounds()
    assert bounds is not None and bounds.lo <= offset <= bounds.hi
    assert bounds.uncertainty < 0.01  # 400 Date flips at random phases: a few ms
    assert abs(bounds.offset - offset) < 0.01


def test_one_response_bounds_the_offset_within_a_second() -> None:
    bounds = exchanges(0.3, 1).bounds()
    assert bounds is not None and bounds.lo <= 0.3 <= bounds.hi
    assert bounds.hi - bounds.lo == pytest.approx(1.004, abs=1e-6)


def test_a_contradicting_server_is_counted_not_believed() -> None:
    clock = exchanges(0.0, 200)
    clock.observe(
        {"date": formatdate(1_700_000_050 + 5, usegmt=True)}, 1_700_000_050.2, 1_700_000_050.21
    )
    bounds = clock.bounds()
    assert bounds is not None and bounds.inconsistent == 1 and abs(bounds.offset) < 0.01


def test_responses_without_a_usable_date_teach_nothing() -> None:
    clock = ClockEstimator()
    clock.observe({}, 10.0, 10.1)
    clock.observe({"date": "yesterday-ish"}, 10.0, 10.1)
    clock.observe({"date": formatdate(10.0, usegmt=True)}, 10.0, 0.0)  # no response arrived
    assert clock.bounds() is None


def latency_series(early: int = 0) -> list[tm.Second]:
    out = []
    for t in range(1000, 1060):
        second = tm.Second(t)
        for _ in range(20):
            second.observe(tm.STREAM_LATENCY, 0.1)
        second.count(tm.SEGMENTS, 20)
        second.count(tm.REQUESTS, 40)
        second.count(tm.SEGMENTS_EARLY, early)
        out.append(second)
    return out


def test_a_generator_clock_provably_behind_makes_a_pass_inconclusive() -> None:
    behind = {"w1": ClockBounds(0.18, 0.22, 300), "w2": ClockBounds(-0.003, 0.002, 300)}
    verdict = evaluate(
        latency_series(), Slos(stream_latency_p95=0.25), 1000, 1060, [], None, behind
    )
    assert verdict.passed and verdict.result == "inconclusive"
    [reason] = verdict.inconclusive
    assert "w1" in reason and "200 ± 20 ms behind" in reason


def test_a_generator_clock_ahead_voids_even_a_failure() -> None:
    ahead = {"w1": ClockBounds(-0.5, -0.4, 300)}
    verdict = evaluate(latency_series(), Slos(stream_latency_p95=0.05), 1000, 1060, [], None, ahead)
    assert not verdict.passed and verdict.result == "inconclusive"


def test_a_bound_wider_than_the_promise_allows_voids_a_latency_pass() -> None:
    coarse = {"w1": ClockBounds(-0.4, 0.6, 2)}  # a second wide: true latency up to 700 ms
    verdict = evaluate(
        latency_series(), Slos(stream_latency_p95=0.25), 1000, 1060, [], None, coarse
    )
    assert verdict.result == "inconclusive" and "w1" in verdict.inconclusive[0]
    assert verdict.checks[0].void


def test_a_bound_narrow_enough_for_the_promise_leaves_the_verdict_alone() -> None:
    narrow = {"w1": ClockBounds(-0.03, 0.04, 300)}  # 100 ms measured + at most 40 ms ≤ 250 ms
    verdict = evaluate(
        latency_series(), Slos(stream_latency_p95=0.25), 1000, 1060, [], None, narrow
    )
    assert verdict.result == "pass" and verdict.inconclusive == ()


def test_a_worker_that_never_saw_a_date_header_leaves_latency_unchecked() -> None:
    clocks = {"w1": ClockBounds(-0.001, 0.001, 300)}
    measured_by = {"w1": frozenset({tm.STREAM_LATENCY}), "w2": frozenset({tm.STREAM_LATENCY})}
    slos = Slos(stream_latency_p95=0.25, viewer_error_rate=0.01)
    verdict = evaluate(latency_series(), slos, 1000, 1060, [], None, clocks, measured_by)
    assert verdict.result == "inconclusive" and "w2" in verdict.inconclusive[0]
    by = {c.promise: c for c in verdict.checks}
    assert by["stream_latency_p95"].void and not by["viewer_error_rate"].void


def test_date_samples_that_contradict_the_bound_void_latency() -> None:
    stepped = {"w1": ClockBounds(-0.001, 0.001, 300, inconsistent=40, worst=0.3)}
    verdict = evaluate(
        latency_series(), Slos(stream_latency_p95=0.25), 1000, 1060, [], None, stepped
    )
    assert verdict.result == "inconclusive" and "contradict" in verdict.inconclusive[0]


def test_chat_latency_across_hosts_needs_their_clocks_to_agree() -> None:
    run = latency_series()
    for second in run:
        second.count(tm.CHAT_SENT + "r", 10)
        second.count(tm.CHAT_MEMBERS + "r", 2)
        second.count(tm.CHAT_RECEIVED, 20)
        second.count(tm.CHAT_RECEIVED_100MS, 20)
    chat = frozenset({tm.CHAT_LATENCY})
    slos = Slos(chat_delivered_within_100ms=0.999, chat_loss=0.001)
    apart = {"a_1": ClockBounds(0.0, 0.002, 9), "b_1": ClockBounds(0.2, 0.202, 9)}
    verdict = evaluate(run, slos, 1000, 1060, [], None, apart, {"a_1": chat, "b_1": chat})
    by = {c.promise: c for c in verdict.checks}
    assert by["chat_delivered_within_100ms"].void and not by["chat_loss"].void
    assert verdict.result == "inconclusive"
    together = {"a_1": ClockBounds(0.0, 0.002, 9), "a_2": ClockBounds(0.3, 0.302, 9)}
    same_host = evaluate(run, slos, 1000, 1060, [], None, together, {"a_1": chat, "a_2": chat})
    assert same_host.result == "pass"


def test_segments_arriving_before_they_were_complete_void_a_pass() -> None:
    verdict = evaluate(latency_series(early=3), Slos(stream_latency_p95=0.25), 1000, 1060, [])
    assert verdict.result == "inconclusive" and "before their" in verdict.inconclusive[0]


def test_a_latency_recovery_the_clock_bound_could_turn_around_is_void() -> None:
    from livefire.verdict.engine import FaultWindow

    run = []
    for t in range(1000, 1060):
        second = tm.Second(t)
        for _ in range(20):  # 2 s during the kill's effect, 200 ms (SLO 250 ms) afterwards
            second.observe(tm.STREAM_LATENCY, 2.0 if 1020 <= t < 1022 else 0.2)
        run.append(second)
    kill = FaultWindow("f0", "transcoder-node-kill", "transcoder-1", 1020, 1020.05, True)
    slos = Slos(stream_latency_p95=0.25, recovery={"transcoder-node-kill": 12.0})
    wide = {"w1": ClockBounds(-0.01, 0.1, 300)}  # true latency could be 300 ms: never back
    verdict = evaluate(run, slos, 1000, 1060, [kill], None, wide)
    [check] = [c for c in verdict.checks if c.promise.startswith("recovery:")]
    assert check.passed and check.void.startswith("clock offset: within the generators'")
    assert verdict.result == "inconclusive"
    narrow = {"w1": ClockBounds(-0.01, 0.01, 300)}
    verdict = evaluate(run, slos, 1000, 1060, [kill], None, narrow)
    assert verdict.result == "pass" and verdict.inconclusive == ()


@pytest.mark.parametrize("offset", [0.0, 0.37, -0.81])
def test_bisecting_sends_halve_the_bound_to_about_a_round_trip(offset: float) -> None:
    """Each request sent when `bisecting_send` says, to a server whose clock is ours + offset
    and which stamps its Date halfway through the exchange, halves the bound."""
    rtt, clock, now = 0.002, ClockEstimator(), 1_700_000_000.3
    clock.observe({"date": formatdate(now + rtt / 2 + offset, usegmt=True)}, now, now + rtt)
    widths = []
    for _ in range(12):
        sent = clock.bisecting_send(now)
        assert sent is not None and sent >= now + 0.05
        date = formatdate(sent + rtt / 2 + offset, usegmt=True)
        clock.observe({"date": date}, sent, sent + rtt)
        now = sent + rtt
        widths.append(clock.hi - clock.lo)
    assert clock.lo <= offset <= clock.hi
    assert widths[4] < 0.1 and clock.settled()
    assert all(b <= a for a, b in itertools.pairwise(widths))


def test_no_bound_no_bisecting_send() -> None:
    assert ClockEstimator().bisecting_send(10.0) is None
    assert not ClockEstimator().settled()
