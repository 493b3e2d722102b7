"""HLS playlists as a viewer reads them: pure parsing on top of the m3u8 library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urljoin

import m3u8


@dataclass(frozen=True)
class Variant:
    uri: str  # absolute
    bandwidth: int
    resolution: str


@dataclass(frozen=True)
class MediaSegment:
    seq: int
    uri: str  # absolute
    pdt: float  # EXT-X-PROGRAM-DATE-TIME, epoch seconds (UTC when it names no zone)
    duration: float
    discontinuity: bool


@dataclass(frozen=True)
class MediaPlaylist:
    segments: tuple[MediaSegment, ...]
    target_duration: float
    can_block: bool  # EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES
    ended: bool

    @property
    def last_seq(self) -> int:
        return self.segments[-1].seq if self.segments else -1


class PlaylistError(ValueError):
    """The playlist could not be understood."""


def parse_master(text: str, url: str) -> list[Variant]:
    """Variants, lowest bandwidth first; a media playlist given as master is its own variant."""
    playlist = m3u8.loads(text, uri=url)
    if not playlist.is_variant:
        return [Variant(url, 0, "")]
    variants = [
        Variant(
            urljoin(url, p.uri),
            int(p.stream_info.bandwidth or 0),
            "x".join(map(str, p.stream_info.resolution or ())),
        )
        for p in playlist.playlists
    ]
    if not variants:
        raise PlaylistError("master playlist lists no variants")
    return sorted(variants, key=lambda v: v.bandwidth)


@lru_cache(maxsize=64)
def parse_media(text: str, url: str) -> MediaPlaylist:
    """Cached: thousands of viewers of one worker fetch the very same playlist text, and the
    m3u8 library's parse is the costliest thing a viewer does; the result is frozen."""
    playlist = m3u8.loads(text, uri=url)
    if playlist.is_variant:
        raise PlaylistError("expected a media playlist, got a master playlist")
    seq = int(playlist.media_sequence or 0)
    segments = []
    for offset, segment in enumerate(playlist.segments):
        pdt = _utc(segment.current_program_date_time)
        segments.append(
            MediaSegment(
                seq + offset,
                urljoin(url, segment.uri),
                pdt.timestamp() if pdt else 0.0,
                float(segment.duration or 0.0),
                bool(segment.discontinuity),
            )
        )
    control = playlist.server_control
    can_block = bool(control and str(control.can_block_reload).upper() == "YES")
    return MediaPlaylist(
        tuple(segments),
        float(playlist.target_duration or 1.0),
        can_block,
        bool(playlist.is_endlist),
    )


def _utc(pdt: datetime | None) -> datetime | None:
    """A program-date-time without a zone is UTC: read as local time, a load generator in
    New York would add five hours to every segment's latency (RFC 8216 asks for a zone;
    origins that omit one write UTC, as ours does)."""
    if pdt is not None and pdt.tzinfo is None:
        return pdt.replace(tzinfo=UTC)
    return pdt


def blocking_url(url: str, msn: int) -> str:
    """The LL-HLS blocking reload request for media sequence number `msn`."""
    return f"{url}{'&' if '?' in url else '?'}_HLS_msn={msn}"
