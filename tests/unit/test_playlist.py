"""Playlist parsing details that move latency: the program-date-time's time zone."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from loadgen.playlist import parse_media

PLAYLIST = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:1
#EXT-X-MEDIA-SEQUENCE:7
#EXT-X-PROGRAM-DATE-TIME:{pdt}
#EXTINF:1.0,
seg7.ts
"""
EPOCH = 1_704_067_200.0  # 2024-01-01T00:00:00Z


@pytest.fixture
def new_york() -> Iterator[None]:
    """A load generator whose local time is 5 hours behind UTC (restored afterwards)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    parse_media.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
        parse_media.cache_clear()


@pytest.mark.parametrize(
    "pdt",
    ["2024-01-01T00:00:00.000", "2024-01-01T00:00:00.000Z", "2023-12-31T19:00:00.000-05:00"],
)
def test_a_program_date_time_is_read_as_utc_whatever_the_local_zone(
    new_york: None, pdt: str
) -> None:
    assert time.timezone != 0  # the zone really is in effect
    playlist = parse_media(PLAYLIST.format(pdt=pdt), "http://edge/live/a/720p.m3u8")
    assert playlist.segments[0].pdt == EPOCH
