"""quality_held and rebuffering_ratio: shares of sessions and of watched time."""

from livefire import telemetry as tm
from livefire.slis import SLIS
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
