"""A synthetic camera: a grey test pattern whose picture carries its own capture time.

Frames are YUV 4:2:0 arrays (what the encoder wants, so no colour conversion is paid): moving
bars on the luma plane, and livefire's visual timecode (`livefire.base.timecode`: capture time
in ms, frame number, stream id) drawn over the top, so a viewer that decodes a segment reads
glass-to-glass latency from the pixels, as from a livefire creator's camera.
"""

from __future__ import annotations

import numpy as np

from livefire.base import timecode
from livefire.base.timecode import Timecode


class TestPattern:
    __test__ = False  # a video test pattern, not a pytest test class

    def __init__(self, width: int, height: int, stream: str = "") -> None:
        self.width, self.height = width, height
        self.stream = timecode.stream_id(stream)
        x = np.arange(width, dtype=np.uint16)
        self._bars = np.tile(((x * 8 // max(width, 1)) * 28 + 16).astype(np.uint8), (height, 1))
        self._chroma = np.full((height // 2, width), 128, dtype=np.uint8)

    def frame(self, index: int, capture_ms: int) -> np.ndarray:
        """The yuv420p frame `index`, stamped with `capture_ms` (shape: height*3/2 x width)."""
        luma = self._bars.copy()
        x = (index * 3) % self.width
        luma[:, x : x + 2] = 235
        timecode.draw(luma, Timecode(capture_ms, index, self.stream))
        return np.concatenate((luma, self._chroma))

    def read_stamp(self, luma: np.ndarray) -> int | None:
        """The capture time (ms) stamped into a decoded luma plane; None if unreadable."""
        code = timecode.read(luma)
        return None if code is None else code.capture_ms
