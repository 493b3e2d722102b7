"""The Searcher, Creator and a decoding Viewer against the whole reference platform, run by
the real Locust: the SLIs that no gallery scenario judges (search success and latency,
segments valid, connection success) read from the telemetry those users shipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from livefire_stubs.launcher import Platform, start_platform
from livefire_stubs.topology import TOPOLOGIES

from livefire.base import telemetry as tm
from livefire.verdict.slis import SLIS
from loadgen.config import LoadConfig
from tests.integration.test_locust_users import judged, run_locust

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    running = start_platform(tmp_path_factory.mktemp("platform"), TOPOLOGIES["default"])
    try:
        yield running
    finally:
        running.stop()


def users_run(platform: Platform, run_dir: Path, users: dict[str, int], **extra: Any) -> Any:
    found = platform.describe()
    config = LoadConfig(
        run_dir=str(run_dir),
        duration=12.0,
        users=users,
        shape=[{"ramp": 1.0, "to": 1.0}],
        spawn_jitter=1.0,
        master_urls=dict(found.master_playlists),
        region_shares=dict(found.region_shares),
        streams=list(found.streams),
        router=found.router,
        discovery_url=found.discovery,
        origin_url=found.origin,
        search_interval=0.25,
        **extra,
    )
    return judged(tm.merge_batches(run_locust(run_dir, config, *users_classes(users))))


def users_classes(users: dict[str, int]) -> list[str]:
    return [kind.capitalize() for kind, n in users.items() if n]


def worst_pdt_error(series: list[tm.Second]) -> float | None:
    """The largest |PDT − capture time| any decoding viewer saw, in seconds."""
    hists = [s.histograms[tm.PDT_ERROR] for s in series if tm.PDT_ERROR in s.histograms]
    return max(h.get_max_value() for h in hists) / 1e6 if hists else None


def measure(name: str, series: list[tm.Second]) -> float | None:
    return SLIS.get(name).measure(series)


def test_searchers_find_live_streams_fast_and_without_errors(
    platform: Platform, tmp_path: Path
) -> None:
    series = users_run(platform, tmp_path, {"searcher": 3})
    assert sum(s.counters.get(tm.SEARCHES, 0) for s in series) > 60  # 3 × 4 a second × ~9 s
    assert measure("search_success", series) == 1.0
    latency = measure("search_latency_p95", series)
    assert latency is not None and 0 < latency < 0.15  # documented: p95 < 150 ms


def test_decoding_viewers_find_every_segment_valid_and_every_request_answered(
    platform: Platform, tmp_path: Path
) -> None:
    series = users_run(platform, tmp_path, {"viewer": 3}, decode_sample=1.0)
    decoded = sum(s.counters.get(tm.SEGMENTS_DECODED, 0) for s in series)
    assert decoded >= 6  # 3 viewers × a segment a second, after startup
    assert measure("segments_valid", series) == 1.0
    assert measure("stream_connection_success", series) == 1.0
    # the synthetic cameras draw the timecode: glass-to-glass read from the pixels, and the
    # origin's PDT (the capture time of the first frame) within 20 ms of what they carry
    assert sum(s.counters.get(tm.TIMECODES_UNREADABLE, 0) for s in series) == 0
    g2g = measure("glass_to_glass_p95", series)
    assert g2g is not None and 0 < g2g < 2.0
    pdt_error = worst_pdt_error(series)
    assert pdt_error is not None and pdt_error < 0.020


def test_a_creator_pushes_a_stream_the_platform_serves(platform: Platform, tmp_path: Path) -> None:
    series = users_run(platform, tmp_path, {"creator": 1})
    assert sum(s.counters.get(tm.INGEST_BYTES, 0) for s in series) > 20_000  # ~8 KB a second
    assert sum(s.counters.get(tm.INGEST_INTERRUPTIONS, 0) for s in series) == 0
    origin = platform.describe().origin
    live = requests.get(f"{origin}/streams", timeout=5).json()["streams"]
    assert any(name.startswith("creator-") for name in live), live  # transcoded and live
