"""The compact histogram is HdrHistogram's, kept sparse: same percentiles, addition, wire form."""

import random
import tracemalloc

import pytest
from hdrh.histogram import HdrHistogram

from livefire.base import telemetry as tm
from livefire.base.histogram import Histogram, dense
from livefire.base.percentiles import nearest_rank

QS = (0, 1, 50, 90, 95, 99, 99.9, 99.99, 100)


def _pair(seed: int, n: int = 3000) -> tuple[Histogram, HdrHistogram]:
    rng = random.Random(seed)
    compact, decoded = Histogram(), dense()
    for _ in range(n):
        value = min(max(int(rng.lognormvariate(12, 1.2)), 1), 600_000_000)
        compact.record_value(value)
        decoded.record_value(value)
    return compact, decoded


@pytest.mark.parametrize("seed", range(4))
def test_percentiles_max_mean_and_count_equal_the_decoded_histograms(seed: int) -> None:
    compact, decoded = _pair(seed)
    assert [nearest_rank(compact, q) for q in QS] == [nearest_rank(decoded, q) for q in QS]
    assert compact.get_total_count() == decoded.get_total_count()
    assert compact.get_max_value() == decoded.get_max_value()
    assert compact.get_mean_value() == pytest.approx(decoded.get_mean_value(), rel=1e-12)


def test_merging_is_addition() -> None:
    pairs = [_pair(seed, 500 + seed * 100) for seed in range(40)]  # more than one fold
    total, expected = Histogram(), dense()
    for compact, decoded in pairs:
        total.add(compact)
        expected.add(decoded)
    assert total == Histogram.from_dense(expected)
    assert [nearest_rank(total, q) for q in QS] == [nearest_rank(expected, q) for q in QS]


def test_hdrhistograms_wire_form_still_reads_and_can_still_be_written() -> None:
    compact, decoded = _pair(9)
    assert Histogram.decode(decoded.encode().decode()) == compact  # runs recorded before
    again = HdrHistogram.decode(compact.encode_hdr())
    assert [nearest_rank(again, q) for q in QS] == [nearest_rank(decoded, q) for q in QS]


@pytest.mark.parametrize("scale", [1, 300, 70_000, 5_000_000_000])  # each count width
def test_the_sparse_wire_form_round_trips_exactly(scale: int) -> None:
    compact, decoded = _pair(11)
    big = Histogram()
    for _ in range(2):
        big.add(compact)
    big.add(Histogram.from_dense(decoded))
    index, counts = big.sparse()
    scaled = Histogram()
    scaled._index, scaled._counts = index, counts.astype("int64") * scale
    text = scaled.encode()
    assert text.startswith(b"~")
    for narrow in (True, False):
        back = Histogram.decode(text, narrow)
        assert back == scaled
        assert back.get_total_count() == 3 * decoded.get_total_count() * scale
    narrow_index, _ = Histogram.decode(text).sparse()
    assert narrow_index.dtype == "uint16"  # kept at 2 bytes an index


def test_a_wide_decoded_histogram_is_kept_narrow_once_merged() -> None:
    compact, _ = _pair(12)
    merged = Histogram()
    merged.add(Histogram.decode(compact.encode(), narrow=False))
    index, counts = merged.sparse()
    assert (index.dtype, counts.dtype) == ("uint16", "uint32") and merged == compact


def test_a_damaged_sparse_encoding_is_refused() -> None:
    import base64
    import zlib

    good = _pair(13)[0].encode()
    raw = zlib.decompress(base64.b64decode(good[1:]))
    for bad in (raw[:-1], bytes([3]) + raw[1:], b"\x01\xff\xff\x01"):
        with pytest.raises(ValueError):
            Histogram.decode(b"~" + base64.b64encode(zlib.compress(bad)))


def test_an_empty_histogram_has_no_percentile_and_encodes() -> None:
    empty = Histogram()
    assert nearest_rank(empty, 95) is None
    assert empty.get_max_value() == 0 and empty.get_mean_value() == 0.0
    assert Histogram.decode(empty.encode()) == empty


def _viewer_second(rng: random.Random) -> tm.Second:
    second = tm.Second(1)
    for _ in range(4000):
        second.observe(tm.STREAM_LATENCY, rng.lognormvariate(-1.69, 0.25))
        second.observe(tm.REQUEST_LATENCY, rng.lognormvariate(-3.9, 0.8))
    for _ in range(10):
        second.observe(tm.EVENT_LOOP_STALL, rng.expovariate(500.0))
    return second


def test_a_kept_second_costs_kilobytes_not_decoded_histograms() -> None:
    """Decoded, these three histograms would hold 3 x ~169 KB whatever their samples."""
    shipped = tm.Second.to_json(_viewer_second(random.Random(3)))
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [tm.Second.from_json(shipped) for _ in range(50)]
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown / len(kept) < 40_000
    assert all(h.nbytes < 20_000 for h in kept[0].histograms.values())


def test_merging_a_thousand_workers_keeps_one_bucket_per_value_range() -> None:
    rng = random.Random(4)
    workers = [tm.Second.from_json(_viewer_second(rng).to_json()) for _ in range(8)]
    merged = tm.Second(1)
    for i in range(1000):
        merged.merge(workers[i % 8])
    hist = merged.histograms[tm.STREAM_LATENCY]
    assert hist.get_total_count() == 4_000_000
    assert hist.nbytes <= 6 * 21_504  # at most every bucket once, 6 bytes each
