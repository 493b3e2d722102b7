"""Live HLS playlists as the origin publishes them: pure functions over segment records."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Segment:
    seq: int  # media sequence number
    data: bytes  # MPEG-TS
    pdt: float  # capture time of the first frame (epoch seconds)
    duration: float
    discontinuity: bool = False  # first segment after an encoder change (failover)
    stages: str = ""  # X-Stage-Times served with it (`livefire.base.stages`); "": none


@dataclass(frozen=True)
class Rendition:
    name: str  # e.g. "360p"
    bandwidth: int  # bits per second, as advertised in the master playlist
    width: int
    height: int
    fps: int
    codecs: str = "avc1.42c01e"


def iso8601(epoch: float) -> str:
    """EXT-X-PROGRAM-DATE-TIME value with millisecond precision."""
    stamp = datetime.fromtimestamp(epoch, tz=UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def media_playlist(
    segments: list[Segment], target_duration: float, can_block: bool, discontinuity_seq: int = 0
) -> str:
    """A sliding-window live media playlist (no ENDLIST) over `segments`, oldest first.

    `discontinuity_seq` counts the discontinuities that already slid out of the window.
    """
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:6",
        f"#EXT-X-TARGETDURATION:{math.ceil(target_duration)}",
        f"#EXT-X-MEDIA-SEQUENCE:{segments[0].seq if segments else 0}",
    ]
    if can_block:
        lines.append(
            f"#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,HOLD-BACK={3 * target_duration:g}"
        )
    if discontinuity_seq:
        lines.append(f"#EXT-X-DISCONTINUITY-SEQUENCE:{discontinuity_seq}")
    for segment in segments:
        if segment.discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{iso8601(segment.pdt)}")
        lines.append(f"#EXTINF:{segment.duration:.3f},")
        lines.append(f"{segment.seq}.ts")
    return "\n".join(lines) + "\n"


def master_playlist(renditions: list[Rendition]) -> str:
    """The multivariant playlist: one variant per rendition, highest bandwidth first."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for r in sorted(renditions, key=lambda r: -r.bandwidth):
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={r.bandwidth},RESOLUTION={r.width}x{r.height},"
            f'CODECS="{r.codecs}",FRAME-RATE={r.fps:.3f}'
        )
        lines.append(f"{r.name}/index.m3u8")
    return "\n".join(lines) + "\n"
