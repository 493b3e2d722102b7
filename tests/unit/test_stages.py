"""Stage stamps: the header's wire form, parsing that tolerates what a platform may add, and
the arithmetic from stamps to stage durations, with stamps that run backwards refused."""

from __future__ import annotations

import pytest

from livefire.base import stages
from livefire.base import telemetry as tm
from loadgen.recorder import Recorder
from loadgen.viewer import ViewerSession

T = 1_764_000_000.0  # the segment was complete at the camera


def header(**offsets: float) -> str:
    value = None
    for name, offset in offsets.items():
        value = stages.append(value, name, T + offset)
    assert value is not None
    return value


def test_each_hop_appends_its_stamp_and_the_viewer_reads_them_back() -> None:
    value = header(captured=0.0, muxed=0.041, origin=0.043, edge=0.160)
    assert value.startswith(f"captured={T:.6f},muxed=")
    assert stages.parse(value) == pytest.approx(
        {"captured": T, "muxed": T + 0.041, "origin": T + 0.043, "edge": T + 0.160}
    )


def test_unknown_and_malformed_items_are_skipped_and_the_nearest_edge_counts() -> None:
    value = f"captured={T},cdn-shield={T + 1},muxed=soon,edge={T + 0.1},junk,edge={T + 0.2}"
    assert stages.parse(value) == {"captured": T, "edge": T + 0.2}


def test_the_stages_add_up_to_captured_to_last_byte() -> None:
    found = stages.durations(header(captured=0, muxed=0.041, origin=0.043, edge=0.160), T + 0.2)
    assert found == pytest.approx(
        {
            "stage_ingest_transcoding": 0.041,
            "stage_edge": 0.119,
            "stage_last_mile": 0.040,
            "stage_origin_publish": 0.002,
            "stage_total": 0.200,
        },
        abs=2e-6,  # the wire carries microseconds
    )
    assert found is not None
    budgeted = sum(found[s.name] for s in stages.BUDGETED)
    assert budgeted == pytest.approx(found["stage_total"], abs=2e-6)
    assert sum(s.budget_ms or 0 for s in stages.BUDGETED) == stages.DOCUMENTED_TOTAL_MS


def test_stamps_running_backwards_give_no_stage_at_all() -> None:
    # the edge's clock 50 ms behind the origin's: edge "before" origin
    assert stages.durations(header(captured=0, muxed=0.04, origin=0.1, edge=0.05), T + 0.2) is None
    # the viewer's clock behind the edge's: last byte "before" it was cached
    assert stages.durations(header(captured=0, muxed=0.04, edge=0.1), T + 0.09) is None


def test_only_stages_with_both_ends_are_measured() -> None:
    found = stages.durations(header(captured=0, edge=0.120), T + 0.150)
    assert found == pytest.approx({"stage_last_mile": 0.030, "stage_total": 0.150}, abs=2e-6)
    assert stages.durations("x-cdn=1", T) == {}


def recorded(value: str, arrived: float) -> tm.Second:
    recorder = Recorder("w1")
    viewer = ViewerSession(None, recorder, "http://x/master.m3u8")  # type: ignore[arg-type]
    viewer._stages(value, arrived)
    merged = tm.Second(0)
    for second in recorder.drain(final=True, now=arrived + 5).seconds:
        merged.merge(second)
    return merged


def test_the_viewer_records_each_stage_or_counts_disordered_stamps() -> None:
    good = recorded(header(captured=0, muxed=0.04, origin=0.05, edge=0.1), T + 0.15)
    assert set(good.histograms) == set(tm.STAGE_HISTOGRAMS)
    assert abs(good.histograms["stage_last_mile"].get_max_value() - 50_000) < 100  # µs
    assert tm.STAGE_STAMPS_DISORDERED not in good.counters
    bad = recorded(header(captured=0, muxed=0.04, edge=0.1), T + 0.05)
    assert bad.histograms == {} and bad.counters[tm.STAGE_STAMPS_DISORDERED] == 1
