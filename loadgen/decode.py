"""Decode a sample of segments with PyAV: the bytes must be valid H.264 in MPEG-TS, and what
they hold must last as long as the playlist's EXTINF says. Pure: bytes in, a verdict out."""

from __future__ import annotations

import io

import av


def check_segment(data: bytes, extinf: float) -> str | None:
    """None when the segment is valid H.264 lasting `extinf` (± a frame); else what is wrong."""
    try:
        with av.open(io.BytesIO(data), mode="r", format="mpegts") as container:
            if not container.streams.video:
                return "no video stream"
            stream = container.streams.video[0]
            if stream.codec_context.name != "h264":
                return f"codec {stream.codec_context.name}, expected h264"
            pts = [f.pts for f in container.decode(stream) if f.pts is not None]
            rate = float(stream.average_rate or stream.guessed_rate or 0)
            base = float(stream.time_base or 0)
    except av.FFmpegError as exc:
        return f"undecodable: {exc}"
    if not pts or not rate:
        return "no decodable frames"
    duration = (max(pts) - min(pts)) * base + 1 / rate
    if abs(duration - extinf) > max(0.05, 1.5 / rate):
        return f"lasts {duration:.3f} s, EXTINF says {extinf:.3f} s"
    return None
