"""The comparison's arithmetic: direction from the promise, tolerance as a share of its room,
the statuses, and the refusal of another scenario's run. Pure: reports in, rows out."""

from __future__ import annotations

from typing import Any

import pytest

from livefire.base.errors import RunDirError
from livefire.history import EXIT_CODES
from livefire.history.compare import (
    IMPROVED,
    NO_DATA,
    ONLY_BASELINE,
    ONLY_RUN,
    REGRESSED,
    VOID,
    WITHIN,
    compare,
)
from tests.unit.history.conftest import check, report


def status(old: dict[str, Any], new: dict[str, Any], **run_fields: Any) -> str:
    [row] = compare(report(old), report(new, **run_fields)).rows
    return row.status


def latency(measured: float | None, **kw: Any) -> dict[str, Any]:
    return check("stream_latency_p95", measured, 0.25, "<= 250 ms", **kw)


def delivery(measured: float | None, **kw: Any) -> dict[str, Any]:
    return check("chat_delivered_within_100ms", measured, 0.999, ">= 99.9%", **kw)


def test_a_latency_going_up_past_a_tenth_of_its_room_regresses() -> None:
    # room of "<= 250 ms" is 250 ms; the default 10% allows 25 ms
    assert status(latency(0.100), latency(0.126)) == REGRESSED
    assert status(latency(0.100), latency(0.124)) == WITHIN


def test_a_latency_going_down_is_better_not_worse() -> None:
    assert status(latency(0.200), latency(0.100)) == IMPROVED
    assert status(latency(0.126), latency(0.100)) == IMPROVED
    assert status(latency(0.124), latency(0.100)) == WITHIN


def test_a_delivery_ratio_going_down_regresses_on_the_scale_of_its_nines() -> None:
    # room of ">= 99.9%" is the 0.1% it may miss; 10% of that is 0.01 points
    assert status(delivery(0.9999), delivery(0.9997)) == REGRESSED
    assert status(delivery(0.9999), delivery(0.99985)) == WITHIN
    assert status(delivery(0.9997), delivery(0.9999)) == IMPROVED


def test_direction_comes_from_the_promises_comparator_even_for_an_unknown_promise() -> None:
    up = check("probe_healthy_ratio", 0.95, 0.5, ">= 50%")
    down = check("probe_healthy_ratio", 0.80, 0.5, ">= 50%")
    assert status(up, down) == REGRESSED  # room 50%, allowed 5 points: 15 points lost
    assert status(down, up) == IMPROVED
    slow = check("probe_latency", 2.0, 5.0, "<= 5 s")
    slower = check("probe_latency", 2.6, 5.0, "<= 5 s")
    assert status(slow, slower) == REGRESSED
    assert status(slower, slow) == IMPROVED


def test_the_runs_own_tolerance_applies_and_per_promise_overrides_win() -> None:
    old, new = latency(0.100), latency(0.140)  # 40 ms worse
    assert status(old, new) == REGRESSED  # default: 25 ms
    assert status(old, new, compare={"tolerance": 0.2}) == WITHIN  # 50 ms
    tight = {"tolerance": 0.2, "promises": {"stream_latency_p95": {"share": 0.1}}}
    assert status(old, new, compare=tight) == REGRESSED
    absolute = {"tolerance": 0.1, "promises": {"stream_latency_p95": {"absolute": 0.05}}}
    assert status(old, new, compare=absolute) == WITHIN


def test_the_baselines_tolerance_is_not_the_one_used() -> None:
    old = report(latency(0.100), compare={"tolerance": 0.5})
    new = report(latency(0.140))
    [row] = compare(old, new).rows
    assert row.status == REGRESSED and row.allowed == pytest.approx(0.025)


def recovery(seconds: float | None, *, visible: bool = True) -> dict[str, Any]:
    found = "no visible effect" if not visible else "never" if seconds is None else f"{seconds} s"
    return check(
        "recovery:cdn-region-blackhole",
        seconds,
        8.0,
        "<= 8 s",
        phase="f0:viewer_error_rate",
        passed=not visible or (seconds is not None and seconds <= 8),
        found=found,
    )


def test_recovery_times_compare_like_any_at_most_promise() -> None:
    assert status(recovery(2.0), recovery(3.0)) == REGRESSED  # 0.8 s allowed
    assert status(recovery(2.0), recovery(2.5)) == WITHIN
    assert status(recovery(5.0), recovery(2.0)) == IMPROVED
    # no visible effect is the best a recovery can do: 0 s
    assert status(recovery(None, visible=False), recovery(1.0)) == REGRESSED
    assert status(recovery(1.0), recovery(None, visible=False)) == IMPROVED
    family = {"tolerance": 0.1, "promises": {"recovery": {"absolute": 2.0}}}
    assert status(recovery(2.0), recovery(3.5), compare=family) == WITHIN


def test_a_newly_broken_promise_regresses_whatever_the_tolerance() -> None:
    assert status(latency(0.245), latency(0.255), compare={"tolerance": 1.0}) == REGRESSED
    assert status(latency(0.255), latency(0.245), compare={"tolerance": 1.0}) == IMPROVED


def test_no_figure_any_more_regresses_and_none_in_both_is_no_data() -> None:
    assert status(latency(0.1), latency(None)) == REGRESSED
    assert status(latency(None), latency(None)) == NO_DATA
    never = latency(None, found="never")
    assert status(latency(0.1), never) == REGRESSED


def test_a_void_check_on_either_side_is_not_judged_and_makes_the_result_inconclusive() -> None:
    doubt = "load generator overloaded"
    for old, new in (
        (latency(0.1, void=doubt), latency(0.2)),
        (latency(0.1), latency(0.2, void=doubt)),
    ):
        result = compare(report(old), report(new))
        [row] = result.rows
        assert row.status == VOID and row.why == doubt
        assert result.result == "inconclusive" and EXIT_CODES[result.result] == 4


def test_promises_only_on_one_side_are_said_not_regressions() -> None:
    result = compare(report(latency(0.1)), report(delivery(0.9999)))
    assert {r.promise: r.status for r in result.rows} == {
        "chat_delivered_within_100ms": ONLY_RUN,
        "stream_latency_p95": ONLY_BASELINE,
    }
    assert result.result == "ok" and EXIT_CODES["ok"] == 0


def test_phases_are_compared_separately() -> None:
    old = report(latency(0.1), latency(0.1, phase="during_faults"))
    new = report(latency(0.1), latency(0.2, phase="during_faults"))
    result = compare(old, new)
    assert [(r.phase, r.status) for r in result.rows] == [
        ("overall", WITHIN),
        ("during_faults", REGRESSED),
    ]
    assert result.result == "regressed" and EXIT_CODES["regressed"] == 1


def test_a_run_of_another_scenario_is_refused_naming_both() -> None:
    with pytest.raises(RunDirError) as refused:
        compare(report(latency(0.1)), report(latency(0.1), scenario="smoke-breach"), ("a", "b"))
    message = str(refused.value)
    assert "'smoke'" in message and "'smoke-breach'" in message
    assert "a is a run of" in message and "b a run of" in message


def test_an_aborted_run_has_no_verdict_to_compare() -> None:
    result = compare(report(latency(0.1)), report(latency(0.1), result="aborted", error="guard"))
    assert result.result == "aborted" and EXIT_CODES["aborted"] == 3
    assert any("guard" in note for note in result.notes)


def test_a_bad_tolerance_in_the_report_is_named() -> None:
    bad = {"tolerance": 0.1, "promises": {"stream_latncy_p95": {"share": 0.1}}}
    with pytest.raises(RunDirError, match=r"b: compare\.promises.*stream_latency_p95"):
        compare(report(latency(0.1)), report(latency(0.1), compare=bad), ("a", "b"))


def test_a_changed_promise_is_said_beside_the_regression_it_causes() -> None:
    old = check("stream_latency_p95", 0.22, 0.25, "<= 250 ms")
    new = check("stream_latency_p95", 0.22, 0.20, "<= 200 ms")
    [row] = compare(report(old), report(new)).rows
    assert row.status == REGRESSED
    assert row.why.endswith("(the promise itself changed: <= 250 ms → <= 200 ms)")
