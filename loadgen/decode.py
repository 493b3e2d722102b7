"""Decode a sample of segments with PyAV: the bytes must be valid H.264 in MPEG-TS, and what
they hold must last as long as the playlist's EXTINF says; and the first frame's visual
timecode (`livefire.base.timecode`), if it carries one, is read back for glass-to-glass
latency. Pure: bytes in, a verdict out."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av

from livefire.base import timecode
from livefire.base.timecode import Timecode


@dataclass(frozen=True)
class Inspection:
    problem: str | None  # None when the segment is valid H.264 lasting its EXTINF
    code: Timecode | None  # the timecode read from its first frame; None: none, or misread


def inspect_segment(data: bytes, extinf: float) -> Inspection:
    """Decode every frame of `data` (validity costs a full decode); read the first's code."""
    code: Timecode | None = None
    try:
        with av.open(io.BytesIO(data), mode="r", format="mpegts") as container:
            if not container.streams.video:
                return Inspection("no video stream", None)
            stream = container.streams.video[0]
            if stream.codec_context.name != "h264":
                return Inspection(f"codec {stream.codec_context.name}, expected h264", None)
            pts: list[int] = []
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                if not pts:  # the first frame: its luma plane carries the code
                    code = timecode.read(frame.to_ndarray(format="yuv420p")[: frame.height])
                pts.append(frame.pts)
            rate = float(stream.average_rate or stream.guessed_rate or 0)
            base = float(stream.time_base or 0)
    except av.FFmpegError as exc:
        return Inspection(f"undecodable: {exc}", None)
    if not pts or not rate:
        return Inspection("no decodable frames", None)
    duration = (max(pts) - min(pts)) * base + 1 / rate
    if abs(duration - extinf) > max(0.05, 1.5 / rate):
        return Inspection(f"lasts {duration:.3f} s, EXTINF says {extinf:.3f} s", code)
    return Inspection(None, code)


def check_segment(data: bytes, extinf: float) -> str | None:
    """None when the segment is valid H.264 lasting `extinf` (± a frame); else what is wrong."""
    return inspect_segment(data, extinf).problem
