"""Compact histograms: HdrHistogram's buckets (1 µs – 10 min, 3 significant digits), kept sparse.

A decoded HdrHistogram at this range and precision is a counts array of ~21,500 int64s
(~169 KB) whatever it holds; a second of telemetry holds a few hundred to a few thousand
non-empty buckets. A `Histogram` keeps only those: the sorted indices into HdrHistogram's
counts array (uint16) and their counts (uint32, int64 past 2³²), so a kept histogram costs
about 6 bytes per non-empty bucket. It is exactly the histogram HdrHistogram would hold:

- recording (`record_value`, a worker's own second) goes to a dense HdrHistogram, folded into
  the sparse form the first time the histogram is read, added or encoded;
- `add` is addition index by index: a few are queued, many go to a dense sum that the next
  read folds back into the sparse form (the master's running merge reads a second once it
  settled, `livefire.base.merging`);
- a percentile is the bucket where the cumulative count reaches the rank, read as that
  bucket's highest equivalent value, as `livefire.base.percentiles` reads an HdrHistogram;
- `encode` writes the sparse form itself: `~` and base64 of zlib of (the counts' byte width,
  the gaps between non-empty indices as uint16, the counts), about HdrHistogram's own wire
  size and decoded in a third of its time (no varint walk over every bucket up to the
  highest, no 169 KB scratch to scan), which is most of what the master spends per batch.
  `decode` reads it and, for runs recorded before, HdrHistogram's wire form (V2, zlib,
  base64) straight to the sparse form through one reused scratch array; `encode_hdr` writes
  HdrHistogram's form for tools that want it.
- decoded with `narrow=False` (a batch merged and dropped at once), indices and counts stay
  int64: adding them to a running sum needs no conversion, twice as fast as from uint16.
"""

from __future__ import annotations

import base64
import ctypes
import functools
import struct
import threading
import zlib
from typing import Any

import numpy as np
import numpy.typing as npt
from hdrh.codec import (
    V2_COMPRESSION_COOKIE_BASE,
    ext_header_size,
    get_cookie_base,
    payload_header_size,
)
from hdrh.histogram import HdrHistogram
from pyhdrh import decode as _decode_varints  # HdrHistogram's own C decoder

LOWEST_US, HIGHEST_US, DIGITS = 1, 600_000_000, 3  # 1 µs .. 10 min, 3 significant digits
FOLD_AFTER = 8  # additions queued; past that, a dense sum takes them until the next read
Index = npt.NDArray[np.uint16] | npt.NDArray[np.intp]  # intp only in a transient, wide one
Counts = npt.NDArray[np.uint32] | npt.NDArray[np.int64]
_EMPTY_INDEX: Index = np.zeros(0, np.uint16)
_EMPTY_COUNTS: Counts = np.zeros(0, np.uint32)


def dense() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, DIGITS)


@functools.cache
def _tables() -> tuple[int, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(counts_len, highest equivalent value, median equivalent value) of every index, from
    HdrHistogram's own arithmetic."""
    h = dense()
    lowest = [h.get_value_from_index(i) for i in range(h.counts_len)]
    highest = np.array([h.get_highest_equivalent_value(v) for v in lowest], np.int64)
    median = np.array([h._hdr_median_equiv_value(v) for v in lowest], np.int64)
    return h.counts_len, highest, median


def highest_equivalent(index: Index) -> npt.NDArray[np.int64]:
    """The value a percentile reads for each bucket index (its highest equivalent value), for
    code that sums sparse histograms itself (the capacity search's bootstrap)."""
    return _tables()[1][index]


class _Scratch(threading.local):
    def __init__(self) -> None:
        self.counts = (ctypes.c_int64 * _tables()[0])()
        self.view = np.frombuffer(memoryview(self.counts), np.int64)
        self.address = ctypes.addressof(self.counts)


_SCRATCH = _Scratch()


SPARSE = "~"  # marks the sparse wire form (not a base64 character: HdrHistogram's never starts so)
_WIDTHS: dict[int, np.dtype[Any]] = {w: np.dtype(f"<u{w}") for w in (1, 2, 4)} | {
    8: np.dtype("<i8")
}
_GAPS = np.dtype("<u2")
_EXTERNAL = struct.Struct(">II")  # cookie, length (HdrHistogram's ExternalHeader)
_PAYLOAD = struct.Struct(">IIIIQQd")  # cookie, payload_len, normalizing offset, digits, ...
assert _EXTERNAL.size == ext_header_size and _PAYLOAD.size == payload_header_size


def _narrow(counts: npt.NDArray[Any]) -> Counts:
    narrow = counts.astype(np.uint32)
    return narrow if np.array_equal(narrow, counts) else counts.astype(np.int64)


class Histogram:
    """One metric's samples in one second (or merged over many): see the module docstring."""

    __slots__ = ("_acc", "_counts", "_dense", "_index", "_queued")

    def __init__(self) -> None:
        self._index: Index = _EMPTY_INDEX
        self._counts: Counts = _EMPTY_COUNTS
        self._queued: list[tuple[Index, Counts]] = []
        self._dense: HdrHistogram | None = None
        self._acc: npt.NDArray[np.int64] | None = None  # a dense sum while many are added

    # building ---------------------------------------------------------------------------------
    def record_value(self, value: int, count: int = 1) -> bool:
        if self._dense is None:
            self._dense = dense()
        return bool(self._dense.record_value(value, count))

    def add(self, other: Histogram | HdrHistogram) -> None:
        if isinstance(other, HdrHistogram):
            other = Histogram.from_dense(other)
        index, counts = other.sparse()
        if not index.size:
            return
        if self._acc is None and len(self._queued) < FOLD_AFTER:
            self._queued.append((index, counts))
            return
        if self._acc is None:
            self._acc = np.zeros(_tables()[0], np.int64)
            for i, c in (self._index, self._counts), *self._queued:
                self._acc[i] += c
            self._index, self._counts, self._queued = _EMPTY_INDEX, _EMPTY_COUNTS, []
        self._acc[index] += counts  # indices are unique within one histogram

    @classmethod
    def from_dense(cls, hist: HdrHistogram) -> Histogram:
        out = cls()
        if hist.get_total_count():
            counts = np.frombuffer(hist.counts, np.int64)
            index = np.flatnonzero(counts)
            out._index, out._counts = index.astype(np.uint16), _narrow(counts[index])
        return out

    @classmethod
    def decode(cls, text: str | bytes, narrow: bool = True) -> Histogram:
        """From the sparse wire form (or, for older runs, HdrHistogram's), straight to the
        sparse form; `narrow=False` keeps int64 arrays for a histogram only added and dropped."""
        if isinstance(text, bytes):
            text = text.decode("ascii")
        if text.startswith(SPARSE):
            return cls._decode_sparse(text, narrow)
        raw = base64.b64decode(text)
        cookie, _ = _EXTERNAL.unpack_from(raw)
        if get_cookie_base(cookie) != V2_COMPRESSION_COOKIE_BASE:
            raise ValueError("not an HdrHistogram V2 compressed encoding")
        data = zlib.decompress(raw[_EXTERNAL.size :])
        _, _, offset, digits, lowest, highest, _ = _PAYLOAD.unpack_from(data)
        out = cls()
        if (lowest, highest, digits, offset) != (LOWEST_US, HIGHEST_US, DIGITS, 0):
            other = dense()  # another range: HdrHistogram adds it in, value by value
            other.add(HdrHistogram.decode(text))
            return cls.from_dense(other)
        scratch = _SCRATCH  # zeroed between uses
        try:
            found = _decode_varints(data, _PAYLOAD.size, scratch.address, scratch.view.size, 8)
            lo, hi = found["min_nonzero_index"], found["max_nonzero_index"]
            if found["total"] and 0 <= lo <= hi:
                window = scratch.view[lo : hi + 1]
                index = np.flatnonzero(window != 0)
                out._index, out._counts = (index + lo).astype(np.uint16), _narrow(window[index])
                window[:] = 0
        except BaseException:
            scratch.view[:] = 0
            raise
        return out

    @classmethod
    def _decode_sparse(cls, text: str, narrow: bool) -> Histogram:
        raw = zlib.decompress(base64.b64decode(text[1:]))
        width = _WIDTHS.get(raw[0]) if raw else None
        n = (len(raw) - 1) // (2 + raw[0]) if width is not None else -1
        if width is None or len(raw) != 1 + n * (2 + raw[0]):
            raise ValueError("not a sparse histogram encoding")
        out = cls()
        if n:
            index = np.cumsum(np.frombuffer(raw, _GAPS, n, 1), dtype=np.intp)
            counts = np.frombuffer(raw, width, n, 1 + 2 * n)
            if int(index[-1]) >= _tables()[0]:
                raise ValueError("sparse histogram index out of range")
            if narrow:
                out._index = index.astype(np.uint16)
                wide = raw[0] == 8
                out._counts = counts.astype(np.int64) if wide else counts.astype(np.uint32)
            else:
                out._index, out._counts = index, counts.astype(np.int64)
        return out

    # reading ----------------------------------------------------------------------------------
    def sparse(self) -> tuple[Index, Counts]:
        """(sorted non-empty indices, their counts): never modify them."""
        if self._dense is not None or self._queued or self._acc is not None:
            self._fold()
        return self._index, self._counts

    def _fold(self) -> None:
        if self._acc is not None:  # back to the sparse form: ~169 KB less
            kept = np.flatnonzero(self._acc != 0)
            self._index, self._counts = kept.astype(np.uint16), _narrow(self._acc[kept])
            self._acc = None
        parts = [(self._index, self._counts), *self._queued]
        if self._dense is not None:
            parts.append(Histogram.from_dense(self._dense).sparse())
            self._dense = None
        self._queued = []
        parts = [(i, c) for i, c in parts if i.size]
        if len(parts) == 1:  # kept: narrowed, if it came wide
            index, counts = parts[0]
            self._index = index if index.dtype == np.uint16 else index.astype(np.uint16)
            self._counts = counts if counts.dtype == np.uint32 else _narrow(counts)
            return
        if not parts:
            return
        index = np.concatenate([i for i, _ in parts])
        counts = np.concatenate([c.astype(np.int64) for _, c in parts])
        summed = np.bincount(index, weights=counts, minlength=_tables()[0])
        if summed.max() >= 2**53:  # past float64's exact integers: add exactly
            summed = np.zeros(_tables()[0], np.int64)
            np.add.at(summed, index, counts)
        kept = np.flatnonzero(summed)
        self._index, self._counts = kept.astype(np.uint16), _narrow(summed[kept])

    def get_total_count(self) -> int:
        return int(self.sparse()[1].sum(dtype=np.int64))

    def get_max_value(self) -> int:
        index, _ = self.sparse()
        return int(_tables()[1][index[-1]]) if index.size else 0

    def get_mean_value(self) -> float:
        index, counts = self.sparse()
        total = int(counts.sum(dtype=np.int64))
        if not total:
            return 0.0
        median = _tables()[2][index]
        return float(int(np.dot(median, counts.astype(np.int64)))) / total

    def value_at_rank(self, target: int) -> int:
        """The highest equivalent value of the bucket holding the `target`-th smallest sample
        (the largest recorded value when there are fewer samples)."""
        index, counts = self.sparse()
        if not index.size:
            return 0
        at = int(np.searchsorted(np.cumsum(counts, dtype=np.int64), target))
        return int(_tables()[1][index[min(at, index.size - 1)]])

    def count_over(self, limit_us: float) -> int:
        """Samples in buckets whose highest equivalent value is past `limit_us`."""
        index, counts = self.sparse()
        return int(counts[_tables()[1][index] > limit_us].sum(dtype=np.int64))

    @property
    def nbytes(self) -> int:
        """What the kept form costs in array memory (after folding)."""
        index, counts = self.sparse()
        return int(index.nbytes + counts.nbytes)

    def to_dense(self) -> HdrHistogram:
        """The decoded HdrHistogram (~169 KB): for code that needs HdrHistogram itself."""
        index, counts = self.sparse()
        out = dense()
        if index.size:
            view = np.frombuffer(out.counts, np.int64)
            view[index] = counts
            out.set_internal_tacking_values(int(index[0]), int(index[-1]), int(counts.sum()))
        return out

    def encode(self) -> bytes:
        """The sparse wire form (see the module docstring)."""
        index, counts = self.sparse()
        gaps = np.diff(index, prepend=0) if index.size else index  # the first: its index
        most = int(counts.max()) if counts.size else 0
        width = 1 if most < 2**8 else 2 if most < 2**16 else 4 if most < 2**32 else 8
        raw = (
            bytes([width]) + gaps.astype(_GAPS).tobytes() + counts.astype(_WIDTHS[width]).tobytes()
        )
        return SPARSE.encode() + base64.b64encode(zlib.compress(raw))

    def encode_hdr(self) -> bytes:
        """HdrHistogram's wire form (V2, base64), as `HdrHistogram.encode` gives it."""
        if self._dense is not None and not self._queued and not self._index.size:
            return bytes(self._dense.encode())
        return bytes(self.to_dense().encode())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Histogram):
            return NotImplemented
        (a, x), (b, y) = self.sparse(), other.sparse()
        return bool(np.array_equal(a, b) and np.array_equal(x, y))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Histogram({self.get_total_count()} samples, {self.sparse()[0].size} buckets)"
