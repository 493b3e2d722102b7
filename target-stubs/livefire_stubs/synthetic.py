"""A synthetic camera: a grey test pattern whose picture carries its own capture time.

Frames are YUV 4:2:0 arrays (what the encoder wants, so no colour conversion is paid): moving
bars on the luma plane and the capture time in milliseconds as 48 black/white blocks, so a
decoded frame can be matched to the instant it was "captured".
"""

from __future__ import annotations

import numpy as np

BITS = 48


class TestPattern:
    __test__ = False  # a video test pattern, not a pytest test class

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        x = np.arange(width, dtype=np.uint16)
        self._bars = np.tile(((x * 8 // max(width, 1)) * 28 + 16).astype(np.uint8), (height, 1))
        self._block = max(2, width // (BITS // 2 + 2))
        self._chroma = np.full((height // 2, width), 128, dtype=np.uint8)

    def frame(self, index: int, capture_ms: int) -> np.ndarray:
        """The yuv420p frame `index`, stamped with `capture_ms` (shape: height*3/2 x width)."""
        luma = self._bars.copy()
        x = (index * 3) % self.width
        luma[:, x : x + 2] = 235
        self._stamp(luma, capture_ms)
        return np.concatenate((luma, self._chroma))

    def _stamp(self, luma: np.ndarray, value: int) -> None:
        b = self._block
        for bit in range(BITS):
            row, col = divmod(bit, BITS // 2)
            y, x = b + row * b, b + col * b
            luma[y : y + b, x : x + b] = 235 if (value >> bit) & 1 else 16

    def read_stamp(self, luma: np.ndarray) -> int:
        """Decode the capture time stamped into a (decoded) luma plane."""
        b, value = self._block, 0
        for bit in range(BITS):
            row, col = divmod(bit, BITS // 2)
            y, x = b + row * b, b + col * b
            if luma[y + b // 2, x + b // 2] > 128:
                value |= 1 << bit
        return value
