"""`meets` on every branch: a negative control is green only when it failed naming its
promise; anything else — a control that passed, one that broke another promise, a healthy
scenario that failed — is not."""

from __future__ import annotations

from typing import Any

import pytest

from livefire.scenario.slos import Expect
from livefire.verdict.expectation import meets


def report(result: str, broken: tuple[str, ...] = (), held: tuple[str, ...] = ()) -> dict[str, Any]:
    checks = [{"promise": p, "passed": False} for p in broken]
    checks += [{"promise": p, "passed": True} for p in held]
    return {"result": result, "checks": checks}


CONTROL = Expect(result="fail", broken=("streams_preserved",))


def test_a_control_that_broke_its_promise_is_as_expected() -> None:
    assert meets(CONTROL, report("fail", ("streams_preserved",), ("chat_loss",))) == (True, "")


def test_a_control_that_broke_its_promise_and_more_is_as_expected() -> None:
    found = report("fail", ("streams_preserved", "stream_latency_p95"))
    assert meets(CONTROL, found) == (True, "")


def test_a_control_that_passed_is_not() -> None:
    ok, why = meets(CONTROL, report("pass", held=("streams_preserved",)))
    assert not ok
    assert why == "expected result fail, got pass"


def test_a_control_that_broke_another_promise_is_not() -> None:
    ok, why = meets(CONTROL, report("fail", ("stream_latency_p95",), ("streams_preserved",)))
    assert not ok
    assert why == "expected streams_preserved to break; broken: ['stream_latency_p95']"


def test_every_named_promise_must_break() -> None:
    both = Expect(result="fail", broken=("gifts_lost", "gift_eventual_consistency"))
    ok, why = meets(both, report("fail", ("gifts_lost",)))
    assert not ok and why.startswith("expected gift_eventual_consistency to break")


@pytest.mark.parametrize("result", ["fail", "inconclusive", "aborted"])
def test_a_healthy_scenario_that_did_not_pass_is_not(result: str) -> None:
    ok, why = meets(Expect(), report(result, ("stream_latency_p95",)))
    assert not ok
    assert why == f"expected result pass, got {result}"


def test_a_healthy_scenario_that_passed_is() -> None:
    assert meets(Expect(), report("pass", held=("stream_latency_p95",))) == (True, "")


def test_an_inconclusive_control_is_not_a_failure_as_expected() -> None:
    ok, _ = meets(CONTROL, report("inconclusive", ("streams_preserved",)))
    assert not ok


def test_a_control_whose_promise_is_only_void_did_not_prove_it() -> None:
    found = report("fail", ("gifts_lost",))
    found["checks"].append({"promise": "streams_preserved", "passed": False, "void": "gap"})
    ok, why = meets(CONTROL, found)
    assert not ok and "expected streams_preserved to break" in why
