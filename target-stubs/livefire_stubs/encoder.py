"""Encode raw frames into self-contained H.264 MPEG-TS segments with PyAV.

Each segment gets a fresh encoder, so every segment starts on a keyframe (segments cut on
aligned keyframes across the ladder) and a segment never depends on the one before; the
timestamps still run on across segments, as a live encoder's do.
"""

from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np

from livefire_stubs.hls import Rendition


class SegmentEncoder:
    """Feed `add()` the frames of one segment, then `finish()` returns its MPEG-TS bytes."""

    def __init__(self, rendition: Rendition, frames_per_segment: int) -> None:
        self.rendition = rendition
        self.frames_per_segment = frames_per_segment
        self._buffer = io.BytesIO()
        self._out = av.open(self._buffer, "w", format="mpegts")
        stream = self._out.add_stream("libx264", rate=rendition.fps)
        stream.width, stream.height = rendition.width, rendition.height
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = rendition.bandwidth
        stream.codec_context.time_base = Fraction(1, rendition.fps)
        stream.codec_context.options = {
            "preset": "ultrafast",
            "tune": "zerolatency",
            "g": str(frames_per_segment),
            "sc_threshold": "0",
            "profile": "baseline",
        }
        self._stream = stream

    def add(self, yuv: np.ndarray, pts: int) -> None:
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.pts = pts
        frame.time_base = Fraction(1, self.rendition.fps)
        for packet in self._stream.encode(frame):
            self._out.mux(packet)

    def finish(self) -> bytes:
        for packet in self._stream.encode(None):
            self._out.mux(packet)
        self._out.close()
        return self._buffer.getvalue()
