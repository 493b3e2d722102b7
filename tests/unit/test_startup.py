"""Startup time counts the viewers that never start: a failed start is an infinite sample."""

from __future__ import annotations

import math
from typing import Any

import pytest

from livefire.base import telemetry as tm
from livefire.verdict.slis import SLIS, format_value
from loadgen.recorder import Recorder
from loadgen.viewer import STARTUP_GIVE_UP_S, ViewerSession

T0 = 1_000


def startups(done: int, failed: int) -> list[tm.Second]:
    second = tm.Second(T0)
    for i in range(done):
        second.observe(tm.STARTUP, 0.5 + i / 1000)
    second.count(tm.STARTUP_FAILURES, failed)
    return [second]


def test_startup_p95_is_never_once_failures_pass_five_percent() -> None:
    sli = SLIS.get("startup_time_p95")
    assert sli.measure(startups(94, 6)) == math.inf  # 6% never started
    assert format_value(sli, sli.measure(startups(94, 6))) == "never"
    assert sli.measure(startups(0, 3)) == math.inf
    assert sli.measure(startups(0, 0)) is None
    assert not sli.holds(math.inf, 2.0)


def test_failures_under_five_percent_push_p95_up_the_successful_starts() -> None:
    sli = SLIS.get("startup_time_p95")
    # 1000 starts 0.500..1.499 s and 40 failures: p95 of 1040 is rank 988, i.e. 1.487 s
    measured = sli.measure(startups(1000, 40))
    assert measured == pytest.approx(1.487, rel=0.01)
    assert sli.measure(startups(1000, 0)) == pytest.approx(1.449, rel=0.01)


class Session(ViewerSession):
    def __init__(self, recorder: Recorder, started: float) -> None:
        super().__init__(client=Any, recorder=recorder, master_url="http://unused/m.m3u8")  # type: ignore[arg-type]
        self.started = started


def counted(recorder: Recorder) -> dict[int, int]:
    seconds = recorder.drain(final=True, now=T0 + 60).seconds
    return {
        s.t: s.counters[tm.STARTUP_FAILURES] for s in seconds if tm.STARTUP_FAILURES in s.counters
    }


def test_a_session_without_a_first_segment_fails_once_in_the_second_it_started() -> None:
    """Stamped like a startup time, by when the session began: a start that a hang fault
    killed is the fault's, not the seconds after its give-up time."""
    recorder = Recorder("w")
    session = Session(recorder, started=T0)
    session.check_startup(T0 + STARTUP_GIVE_UP_S - 1)  # still within the generous wait
    session.check_startup(T0 + STARTUP_GIVE_UP_S + 7)
    session.check_startup(T0 + 30, gave_up=True)  # and later lost: still one failure
    assert counted(recorder) == {T0: 1}


def test_a_session_that_gives_up_early_fails_and_a_started_one_never_does() -> None:
    recorder = Recorder("w")
    Session(recorder, started=T0 + 3).check_startup(T0 + 5, gave_up=True)
    started = Session(recorder, started=T0)
    started.startup_recorded = True
    started.check_startup(T0 + 50, gave_up=True)
    assert counted(recorder) == {T0 + 3: 1}
