"""A visual timecode: capture time, stream and frame number drawn into the picture as big
black/white cells, so glass-to-glass latency can be read from the pixels a viewer decodes,
without trusting the platform's EXT-X-PROGRAM-DATE-TIME.

Geometry is relative to the frame: it is cut into a GRID_COLS × GRID_ROWS grid and the code
fills CODE_COLS × CODE_ROWS cells from cell (1, 1). A cell is 8 × 8 px at 256 × 144 (the
reference platform's lowest rendition) and 60 × 60 px at 1080p, so the code survives scaling
down the ladder and lossy H.264: a reader samples only each cell's middle. Column 0 holds
reference cells (white, black, white, black) that set the threshold; the other 92 cells carry
44 bits of capture time (ms since the epoch), 16 of frame number, 16 of stream id and a
CRC-16 over those 76. A frame whose CRC does not match is unreadable (`read` → None): a
misread is detected and counted by the caller, never used.

Pure: numpy arrays in and out. `draw` needs a writable luma plane (yuv420p's first H rows, or
a grey image); `read` takes any 2-D uint8 luma plane.
"""

from __future__ import annotations

import binascii
import zlib
from dataclasses import dataclass

import numpy as np

GRID_COLS, GRID_ROWS = 32, 18  # the frame's grid (16:9): 8 px cells at 256 × 144
CODE_COLS, CODE_ROWS = 24, 4  # the code's cells, from grid cell (1, 1)
TIME_BITS, FRAME_BITS, STREAM_BITS, CRC_BITS = 44, 16, 16, 16
PAYLOAD_BITS = TIME_BITS + FRAME_BITS + STREAM_BITS
DATA_BITS = PAYLOAD_BITS + CRC_BITS  # = CODE_ROWS * (CODE_COLS - 1)
BLACK, WHITE = 16, 235  # limited-range luma, what H.264 encoders expect
MIN_CONTRAST = 48  # reference cells closer than this: no code in the picture
REFERENCE = (1, 0, 1, 0)  # column 0, top to bottom

assert DATA_BITS == CODE_ROWS * (CODE_COLS - 1)


@dataclass(frozen=True)
class Timecode:
    capture_ms: int  # when the frame was captured, ms since the Unix epoch
    frame: int  # frame number, modulo 2**16
    stream: int  # stream_id(name): 16 bits identifying the stream

    @property
    def capture(self) -> float:
        """Capture time in seconds since the epoch."""
        return self.capture_ms / 1000


def stream_id(name: str) -> int:
    """The 16 bits a stream's name is drawn as (a reader compares, it cannot invert)."""
    return zlib.crc32(name.encode()) & 0xFFFF


def encode_bits(code: Timecode) -> list[int]:
    """The DATA_BITS bits of `code`, most significant first, CRC last."""
    payload = (
        (code.capture_ms % (1 << TIME_BITS)) << (FRAME_BITS + STREAM_BITS)
        | (code.frame % (1 << FRAME_BITS)) << STREAM_BITS
        | code.stream % (1 << STREAM_BITS)
    )
    crc = binascii.crc_hqx(payload.to_bytes(10, "big"), 0xFFFF)
    word = payload << CRC_BITS | crc
    return [(word >> i) & 1 for i in range(DATA_BITS - 1, -1, -1)]


def decode_bits(bits: list[int]) -> Timecode | None:
    """The timecode in `bits`, or None when its CRC does not match."""
    word = 0
    for bit in bits:
        word = word << 1 | bit
    payload, crc = word >> CRC_BITS, word & 0xFFFF
    if binascii.crc_hqx(payload.to_bytes(10, "big"), 0xFFFF) != crc:
        return None
    stream = payload & 0xFFFF
    frame = (payload >> STREAM_BITS) & 0xFFFF
    return Timecode(payload >> (FRAME_BITS + STREAM_BITS), frame, stream)


def _edges(size: int, cells: int) -> list[int]:
    return [round(i * size / cells) for i in range(cells + 1)]


def _cells(shape: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
    """(y0, y1, x0, x1) of every code cell, row by row; column 0 first in each row."""
    ys, xs = _edges(shape[0], GRID_ROWS), _edges(shape[1], GRID_COLS)
    return [
        (ys[1 + r], ys[2 + r], xs[1 + c], xs[2 + c])
        for r in range(CODE_ROWS)
        for c in range(CODE_COLS)
    ]


def draw(luma: np.ndarray, code: Timecode) -> None:
    """Stamp `code` into the luma plane `luma` (H × W uint8), in place."""
    data = iter(encode_bits(code))
    for index, (y0, y1, x0, x1) in enumerate(_cells(luma.shape)):
        row, col = divmod(index, CODE_COLS)
        bit = REFERENCE[row % len(REFERENCE)] if col == 0 else next(data)
        luma[y0:y1, x0:x1] = WHITE if bit else BLACK


def read(luma: np.ndarray) -> Timecode | None:
    """The timecode stamped in a decoded luma plane, or None: no code, or one misread."""
    if luma.ndim != 2 or luma.shape[0] < GRID_ROWS * 2 or luma.shape[1] < GRID_COLS * 2:
        return None
    levels = []
    for y0, y1, x0, x1 in _cells(luma.shape):
        dy, dx = max(1, (y1 - y0) // 4), max(1, (x1 - x0) // 4)
        levels.append(float(luma[y0 + dy : y1 - dy, x0 + dx : x1 - dx].mean()))
    grid = np.array(levels).reshape(CODE_ROWS, CODE_COLS)
    white = grid[[r for r in range(CODE_ROWS) if REFERENCE[r]], 0]
    black = grid[[r for r in range(CODE_ROWS) if not REFERENCE[r]], 0]
    if white.min() - black.max() < MIN_CONTRAST:
        return None
    threshold = (white.mean() + black.mean()) / 2
    bits = [int(v > threshold) for v in grid[:, 1:].ravel()]
    return decode_bits(bits)
