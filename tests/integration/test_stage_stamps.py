"""Stage stamps on the real reference platform (launched as `livefire run` launches it): a
segment leaves the origin with captured, muxed and origin stamps, the edge adds its own,
and a real viewer's stage histograms add up to the stream latency it measured from PDT."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import gevent
import pytest
import requests
from livefire_stubs.launcher import Platform, start_platform
from livefire_stubs.topology import TOPOLOGIES

from livefire.base import stages
from livefire.base import telemetry as tm
from livefire.base.processes import stragglers
from livefire.verdict.slis import merged
from loadgen.http import LeanHttpClient
from loadgen.recorder import Recorder
from loadgen.viewer import ViewerSession
from tests.integration.creator import camera, push
from tests.integration.platform_checks import RENDITION, last_seq, media_url, playlist

pytestmark = pytest.mark.integration
WATCH_S = 6.0


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    run_dir = tmp_path_factory.mktemp("stages")
    running = start_platform(run_dir, TOPOLOGIES["default"])
    try:
        yield running
    finally:
        running.stop()
        assert stragglers(Path(run_dir).resolve()) == []


def test_origin_and_edge_stamp_each_segment_in_order(platform: Platform) -> None:
    described = platform.describe().to_json()
    region = sorted(described["edges"])[0]
    url = media_url(described, region)
    seq = last_seq(url)
    origin = requests.get(f"{described['origin']}/live/live1/{RENDITION}/{seq}.ts", timeout=5)
    edge = requests.get(url.replace("index.m3u8", f"{seq}.ts"), timeout=5)
    at_origin = stages.parse(origin.headers[stages.HEADER])
    at_edge = stages.parse(edge.headers[stages.HEADER])
    assert list(at_origin) == ["captured", "muxed", "origin"]
    assert list(at_edge) == ["captured", "muxed", "origin", "edge"]
    assert at_origin["captured"] <= at_origin["muxed"] <= at_origin["origin"] <= at_edge["edge"]
    assert at_edge["edge"] <= time.time()
    assert stages.HEADER not in requests.get(url, timeout=5).headers  # playlists: none


def test_a_viewers_stages_add_up_to_its_stream_latency(platform: Platform) -> None:
    described = platform.describe().to_json()
    region = sorted(described["edges"])[0]
    master = f"{described['edges'][region]}/live/live1/master.m3u8"
    recorder = Recorder("w")
    with LeanHttpClient(timeout=3.0) as client:
        viewer = gevent.spawn(ViewerSession(client, recorder, master).run)
        gevent.sleep(WATCH_S)
        viewer.kill()
    seconds = recorder.drain(final=True, now=time.time() + 5).seconds
    latency, whole = merged(seconds, tm.STREAM_LATENCY), merged(seconds, "stage_total")
    assert latency is not None and whole is not None
    assert whole.get_total_count() == latency.get_total_count() >= 3  # every live segment
    # one clock, so the stamps' total is the PDT-based latency (PDT carries milliseconds)
    assert abs(whole.get_mean_value() - latency.get_mean_value()) < 1500  # µs
    means = {}
    for stage in stages.STAGES:
        hist = merged(seconds, stage.name)
        assert hist is not None and hist.get_total_count() == whole.get_total_count(), stage
        means[stage.name] = hist.get_mean_value()
    budgeted = sum(means[s.name] for s in stages.BUDGETED)
    assert abs(budgeted - means["stage_total"]) < 300  # µs: histogram rounding only
    assert means["stage_origin_publish"] <= means["stage_edge"]
    assert not sum(s.counters.get(tm.STAGE_STAMPS_DISORDERED, 0) for s in seconds)


def test_a_pushed_streams_segments_are_stamped_from_the_cut_on(platform: Platform) -> None:
    """No `captured`: the node knows when a segment's first frame arrived, not when the
    camera completed it, so ingest + transcoding is left to glass-to-glass."""
    described = platform.describe().to_json()
    answers = push(described["origin"], "stamped", camera(3), deadline_s=30)
    assert answers[-1]["http"] == 200 and answers[-1]["segments"] >= 2, answers
    listed = playlist(f"{described['origin']}/live/stamped/{RENDITION}/index.m3u8").segments[0]
    url = f"{described['origin']}/live/stamped/{RENDITION}/{listed.uri}"
    stamps = stages.parse(requests.get(url, timeout=5).headers[stages.HEADER])
    assert list(stamps) == ["muxed", "origin"]
    assert listed.program_date_time.timestamp() < stamps["muxed"] <= stamps["origin"]
