"""A recovery budget is a promise about a fault: if that fault never happened, it fails."""

from livefire.base import telemetry as tm
from livefire.scenario.schema import Slos
from livefire.verdict.engine import FaultWindow, evaluate

T0 = 1_000


def healthy(seconds: int = 60) -> list[tm.Second]:
    out = []
    for t in range(T0, T0 + seconds):
        second = tm.Second(t)
        for _ in range(20):
            second.observe(tm.STREAM_LATENCY, 0.05)
        out.append(second)
    return out


def test_a_budgeted_fault_that_was_never_injected_fails_its_recovery() -> None:
    slos = Slos(stream_latency_p95=0.25, recovery={"cdn-region-blackhole": 45.0})
    verdict = evaluate(healthy(), slos, T0, T0 + 60, [])
    [check] = [c for c in verdict.checks if c.promise == "recovery:cdn-region-blackhole"]
    assert not check.passed and check.found == "fault never injected"
    assert check.phase == "never_injected" and not verdict.passed
    assert [r.injected for r in verdict.recoveries] == [False]


def test_an_injected_fault_is_judged_as_before() -> None:
    slos = Slos(stream_latency_p95=0.25, recovery={"cdn-region-blackhole": 45.0})
    window = FaultWindow("f0", "cdn-region-blackhole", "edge-eu", T0 + 10, T0 + 20, True)
    verdict = evaluate(healthy(), slos, T0, T0 + 60, [window])
    [check] = [c for c in verdict.checks if c.promise.startswith("recovery:")]
    assert check.passed and check.phase == "f0:stream_latency_p95"
