"""Ticks: every SLI from the seconds the progress line already merges, the phase of the fault
timeline, and the fault marks a dashboard annotates."""

from __future__ import annotations

import math

import pytest

from livefire.base import telemetry as tm
from livefire.progress import Tracker, phase_of
from livefire.timeline import PlannedFault
from livefire.verdict.slis import SLIS

F0 = PlannedFault("f0", 0, "edge-latency", "edge-apac", 5.0, 10.0, 40.0)
F1 = PlannedFault("f1", 1, "cdn-region-blackhole", "edge-eu", 20.0, 30.0, 40.0)


def seconds() -> list[tm.Second]:
    out = []
    for t in range(100, 105):
        second = tm.Second(t)
        for ms in (100, 200, 300, 400):
            second.observe(tm.STREAM_LATENCY, ms / 1000)
        second.count(tm.REQUESTS, 50)
        second.count(tm.REQUEST_ERRORS, 1)
        second.count(tm.USERS, 40 + t - 100)
        out.append(second)
    return out


@pytest.mark.parametrize(
    ("planned", "pending", "active", "phase"),
    [
        (0, 0, 0, "before_faults"),  # no faults: the whole run is before them
        (2, 2, 0, "before_faults"),
        (2, 1, 1, "during_faults"),
        (2, 1, 0, "between_faults"),
        (2, 0, 1, "during_faults"),
        (2, 0, 0, "after_faults"),
    ],
)
def test_the_phase_follows_the_fault_timeline(
    planned: int, pending: int, active: int, phase: str
) -> None:
    assert phase_of(planned, pending, active) == phase


def test_a_measured_tick_carries_every_sli_and_the_users() -> None:
    tick = Tracker(60.0, 0).tick(12.0, [], "", seconds(), 40)
    assert tick.slis is not None and set(tick.slis) == set(SLIS)
    assert tick.slis["viewer_error_rate"] == pytest.approx(5 / 250)
    assert tick.slis["stream_latency_p95"] == pytest.approx(0.4, rel=1e-2)
    assert tick.latency_p95 == tick.slis["stream_latency_p95"]  # the progress line's figure
    assert tick.slis["chat_loss"] is None  # no chat in these seconds: no data
    assert tick.users == 44 and tick.users_planned == 40  # the latest settled second
    assert tick.phase == "before_faults"
    assert tick.measured_to == 105.0  # the end of the latest second measured, for plots


def test_an_event_tick_measures_nothing_and_an_empty_window_is_no_data() -> None:
    tracker = Tracker(60.0, 1)
    assert tracker.tick(3.0, [], "inject f0").slis is None
    empty = tracker.tick(3.0, [], "", [])
    assert empty.slis is not None and all(v is None for v in empty.slis.values())
    assert empty.users is None


def test_fault_marks_record_injections_and_reverts() -> None:
    tracker = Tracker(60.0, 2)
    tracker.injected(F0, 1000.0, ok=True)
    during = tracker.tick(5.0, ["f0"])
    assert during.phase == "during_faults" and during.active_faults == ("f0",)
    [mark] = during.faults
    assert (mark.fault, mark.target, mark.injected, mark.reverted) == (
        "edge-latency",
        "edge-apac",
        1000.0,
        None,
    )
    tracker.reverted("f0", 1005.0)
    assert tracker.tick(11.0, []).phase == "between_faults"
    tracker.injected(F1, 1015.0, ok=False)  # never in effect: no mark, but it is over
    after = tracker.tick(21.0, [])
    assert after.phase == "after_faults"
    assert [(m.fault_id, m.reverted) for m in after.faults] == [("f0", 1005.0)]


def test_the_end_closes_every_mark_but_those_left_active() -> None:
    tracker = Tracker(60.0, 2)
    tracker.injected(F0, 1000.0, ok=True)
    tracker.injected(F1, 1001.0, ok=True)
    ended = tracker.ended(30.0, 1030.0, still_active=["f1"])
    assert ended.phase == "ended" and ended.active_faults == ("f1",)
    reverted = {m.fault_id: m.reverted for m in ended.faults}
    assert reverted == {"f0": 1030.0, "f1": None}
    assert not math.isnan(ended.elapsed)
