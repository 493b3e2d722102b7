"""quality_held and rebuffering_ratio: shares of sessions and of watched time."""

import pytest

from livefire.base import telemetry as tm
from livefire.verdict.slis import SLIS
from loadgen.playlist import Variant
from loadgen.viewer import quality_floor

LADDER = [
    Variant("a", 400_000, "426x240"),
    Variant("b", 800_000, "640x360"),
    Variant("c", 1_500_000, "854x480"),
    Variant("d", 3_000_000, "1280x720"),
]


def test_the_quality_floor_is_the_lowest_rendition_at_least_that_tall() -> None:
    assert quality_floor(LADDER, 480) == 2
    assert quality_floor(LADDER, 400) == 2
    assert quality_floor(LADDER, None) is None
    assert quality_floor(LADDER, 1080) is None


def test_quality_held_is_the_share_of_started_sessions_never_degraded() -> None:
    second = tm.Second(1)
    second.count(tm.STREAMS_STARTED, 200)
    second.count(tm.STREAMS_DEGRADED, 3)
    assert SLIS.get("quality_held").measure([second]) == 1 - 3 / 200
    assert not SLIS.get("quality_held").holds(1 - 3 / 200, 0.995)
    assert SLIS.get("quality_held").measure([tm.Second(2)]) is None


def test_rebuffering_ratio_is_stalled_over_watched_plus_stalled() -> None:
    a, b = tm.Second(1), tm.Second(2)
    a.count(tm.WATCHED_MS, 9_000)
    b.count(tm.WATCHED_MS, 9_000)
    b.count(tm.STALL_MS, 2_000)
    assert SLIS.get("rebuffering_ratio").measure([a, b]) == 2_000 / 20_000


class FakeViewer:
    """Stands in for a Locust Viewer user: only its `playing(now)` answer matters here."""

    def __init__(self, answer: bool | None) -> None:
        self.answer = answer

    def book_until(self, now: float) -> None:
        pass

    def playing(self, now: float) -> bool | None:
        return self.answer


def test_the_audience_sample_counts_watching_and_stalled_viewers() -> None:
    from loadgen.recorder import Recorder

    recorder = Recorder("w1")
    viewers = [FakeViewer(True), FakeViewer(True), FakeViewer(False), FakeViewer(None)]
    for viewer in viewers:
        recorder.audience.add(viewer)
    recorder.sample_audience(100.2)
    recorder.sample_audience(100.7)  # a gauge: the last sample of a second counts
    [second] = [s for s in recorder.drain(final=True, now=102).seconds if s.t == 100]
    assert second.counters[tm.VIEWERS_WATCHING] == 3
    assert second.counters[tm.VIEWERS_STALLED] == 1
    assert SLIS.get("viewers_playing").measure([second]) == pytest.approx(2 / 3)


def test_recovery_on_viewers_playing_sees_a_stall_that_no_request_error_shows() -> None:
    """A platform serving stale playlists errs nowhere; its viewers just stop playing."""
    from livefire.scenario.schema import Slos
    from livefire.verdict.engine import FaultWindow, evaluate

    seconds = []
    for t in range(1000, 1060):
        second = tm.Second(t)
        second.count(tm.REQUESTS, 80)  # and never an error
        second.counters[tm.VIEWERS_WATCHING] = 40
        second.counters[tm.VIEWERS_STALLED] = 20 if 1030 <= t < 1042 else 0
        seconds.append(second)
    kill = FaultWindow("f0", "transcoder-node-kill", "transcoder-1", 1030, 1030.05, True)
    slos = Slos(viewer_error_rate=0.05, viewers_playing=0.95, recovery={"transcoder-node-kill": 8})
    verdict = evaluate(seconds, slos, 1000, 1060, [kill])
    by = {c.phase: c for c in verdict.checks if c.promise == "recovery:transcoder-node-kill"}
    assert by["f0:viewer_error_rate"].passed
    assert by["f0:viewer_error_rate"].found == "no visible effect"
    assert not by["f0:viewers_playing"].passed and by["f0:viewers_playing"].measured == 12


def test_polls_keep_to_the_target_duration_from_when_the_last_load_began() -> None:
    from loadgen.viewer import next_poll

    assert next_poll(100.0, 1.0, 100.3) == 101.0  # not 101.3: no drift by the exchange time
    assert next_poll(100.0, 2.0, 101.99) == 102.0
    assert next_poll(100.0, 1.0, 101.2) is None  # overdue: reload now, lag not ours
    assert next_poll(None, 1.0, 50.0) == 51.0
