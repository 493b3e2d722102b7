"""Recovery-time maths on synthetic telemetry of known truth."""

from collections.abc import Callable

import pytest

from livefire.base import telemetry as tm
from livefire.verdict.recovery import PerSecond, per_second, recovery
from livefire.verdict.slis import SLIS

P95 = SLIS.get("stream_latency_p95")


def recovery_time(
    values: PerSecond,
    inside: Callable[[float], bool],
    since: float,
    until: float,
    stable_for: float,
) -> float | None:
    """A sustained fault reverted at `since`: seconds to recovery, 0.0 when never outside."""
    found = recovery(values, inside, since, since, until, stable_for, until)
    return found.seconds if found.visible else 0.0


def latency_series(bad_until: float, start: int = 0, end: int = 120) -> list[tm.Second]:
    """Latency 2 s per sample before `bad_until`, 50 ms after; 20 samples a second, evenly."""
    series = []
    for t in range(start, end):
        second = tm.Second(t)
        for i in range(20):
            at = t + i / 20
            second.observe(tm.STREAM_LATENCY, 2.0 if at < bad_until else 0.05)
        series.append(second)
    return series


@pytest.mark.parametrize("step", [40.0, 40.3, 40.5, 41.9, 55.25])
def test_latency_step_gives_recovery_within_one_second(step: float) -> None:
    values = per_second(P95, latency_series(bad_until=step))
    measured = recovery_time(values, lambda v: v <= 0.25, since=30.0, until=120, stable_for=10)
    assert measured is not None
    assert abs(measured - (step - 30.0)) <= 1.0


def test_never_recovering_is_none() -> None:
    values = per_second(P95, latency_series(bad_until=1e9))
    assert recovery_time(values, lambda v: v <= 0.25, 30.0, 120, 10) is None


def test_a_relapse_restarts_the_stable_window() -> None:
    values: dict[int, float | None] = {t: 0.05 for t in range(0, 100)}
    for t in range(20, 25):
        values[t] = 2.0
    values[30] = 2.0  # relapse inside the stable window
    measured = recovery_time(values, lambda v: v <= 0.25, since=15.0, until=100, stable_for=10)
    assert measured == 31 - 15


def test_missing_seconds_are_not_inside() -> None:
    values: dict[int, float | None] = {t: 0.05 for t in range(0, 100) if not 40 <= t < 50}
    assert recovery_time(values, lambda v: v <= 0.25, 35.0, 100, 10) == 50 - 35


def test_already_inside_at_reference_is_zero() -> None:
    values: dict[int, float | None] = {t: 0.05 for t in range(0, 100)}
    assert recovery_time(values, lambda v: v <= 0.25, 30.0, 100, 10) == 0.0


def test_recovery_ignores_slis_that_are_not_per_second() -> None:
    from livefire.scenario.schema import Slos
    from livefire.verdict.engine import FaultWindow, evaluate

    run = latency_series(bad_until=40.0)
    for second in run:
        second.count(tm.STREAMS_STARTED, 1 if second.t == 5 else 0)
    slos = Slos(
        stream_latency_p95=0.25, streams_preserved=0.99, recovery={"transcoder-node-kill": 15}
    )
    window = FaultWindow("f0", "transcoder-node-kill", "transcoder-1", 30.0, 30.0, True)
    verdict = evaluate(run, slos, 0, 120, [window])
    assert [r.sli for r in verdict.recoveries] == ["stream_latency_p95"]
