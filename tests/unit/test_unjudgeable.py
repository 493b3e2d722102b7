"""A verdict over nothing is not a pass: no checks, a budget with nothing to recover, and a
session share split by phase each fail (the loader refuses such scenarios; the engine must not
turn them green if one gets through)."""

from livefire.base import telemetry as tm
from livefire.scenario.slos import PhaseSlos, Slos
from livefire.verdict.engine import FaultWindow, evaluate

T0 = 1_000


def sessions(broken_at: int | None = None) -> list[tm.Second]:
    out = []
    for t in range(T0, T0 + 60):
        second = tm.Second(t)
        second.count(tm.STREAMS_STARTED, 10 if t < T0 + 10 else 0)  # starts in the ramp
        if broken_at is not None and t == T0 + broken_at:
            second.count(tm.STREAMS_BROKEN, 5)
        out.append(second)
    return out


KILL = FaultWindow("f0", "transcoder-node-kill", "transcoder-0", T0 + 20, T0 + 20.05, True)


def test_no_promise_is_no_pass() -> None:
    verdict = evaluate(sessions(), Slos(), T0, T0 + 60, [])
    assert verdict.checks == () and not verdict.passed and verdict.result == "fail"


def test_a_recovery_budget_with_no_per_second_slo_still_yields_a_failing_check() -> None:
    slos = Slos(streams_preserved=0.992, recovery={"transcoder-node-kill": 8.0})
    verdict = evaluate(sessions(), slos, T0, T0 + 60, [KILL])
    [check] = [c for c in verdict.checks if c.promise == "recovery:transcoder-node-kill"]
    assert not check.passed and "no SLO judged second by second" in check.found
    assert verdict.result == "fail"


def test_a_session_share_in_a_phase_fails_rather_than_passing_vacuously() -> None:
    slos = Slos(before_faults=PhaseSlos(streams_preserved=0.99))
    verdict = evaluate(sessions(broken_at=25), slos, T0, T0 + 60, [KILL])
    [check] = verdict.checks[-1:]
    assert check.phase == "before_faults" and not check.passed
    assert "over the whole run only" in check.found
