import json
import random
from pathlib import Path

import pytest

from livefire.base import telemetry as tm
from livefire.base.errors import LivefireError
from livefire.verdict.slis import SLIS
from loadgen.recorder import Recorder


def test_merged_percentile_is_within_one_percent_of_exact() -> None:
    rng = random.Random(7)
    values = [rng.lognormvariate(-1.5, 0.6) for _ in range(20_000)]
    recorders = [Recorder(f"w{i}") for i in range(3)]
    for i, value in enumerate(values):
        recorders[i % 3].observe(tm.STREAM_LATENCY, value, at=1000 + i % 5)
    batches = [r.drain(final=True, now=1005) for r in recorders]
    series = tm.merge_batches(batches)
    exact = sorted(values)[int(0.95 * len(values)) - 1]
    measured = SLIS.get("stream_latency_p95").measure(series)
    assert measured == pytest.approx(exact, rel=0.01)


def test_replayed_batch_is_counted_once() -> None:
    recorder = Recorder("w1")
    recorder.count(tm.REQUESTS, 5, at=10)
    batch = recorder.drain(final=True, now=11)
    again = tm.Batch.from_json(batch.to_json())
    series = tm.merge_batches([batch, again])
    assert series[0].counters[tm.REQUESTS] == 5


def test_merge_equals_sum_of_parts() -> None:
    a, b = Recorder("a"), Recorder("b")
    for i in range(100):
        a.count(tm.REQUESTS, 1, at=50 + i % 3)
        b.count(tm.REQUESTS, 2, at=50 + i % 4)
        a.observe(tm.STREAM_LATENCY, 0.1, at=50)
        b.observe(tm.STREAM_LATENCY, 0.2, at=51)
    series = tm.merge_batches([a.drain(final=True, now=54), b.drain(final=True, now=54)])
    assert sum(s.counters.get(tm.REQUESTS, 0) for s in series) == 300
    counts = sum(
        s.histograms[tm.STREAM_LATENCY].get_total_count()
        for s in series
        if tm.STREAM_LATENCY in s.histograms
    )
    assert counts == 200


def test_drain_keeps_the_current_second_until_final() -> None:
    recorder = Recorder("w")
    recorder.count(tm.REQUESTS, 1, at=100)
    recorder.count(tm.REQUESTS, 1, at=101)
    assert [s.t for s in recorder.drain(now=101.5).seconds] == []
    assert [s.t for s in recorder.drain(now=102.2).seconds] == [100]
    last = recorder.drain(final=True, now=102.2)
    assert [s.t for s in last.seconds] == [101, 102] and last.final and last.seq == 2


def test_every_second_alive_gets_one_heartbeat() -> None:
    recorder = Recorder("w")
    recorder.count(tm.REQUESTS, 1, at=100)
    batches = [recorder.drain(now=now) for now in (101.1, 102.3, 103.0, 105.9)]
    batches.append(recorder.drain(final=True, now=106.5))
    series = tm.merge_batches(batches)
    assert [s.t for s in series] == list(range(100, 107))
    assert all(s.counters[tm.HEARTBEAT] == 1 for s in series)


def test_a_worker_marks_the_seconds_it_fell_behind_in_by_name() -> None:
    recorder = Recorder("w7", max_lag=0.05, max_stall=0.1)
    for _ in range(99):
        recorder.observe(tm.SCHEDULE_LAG, 0.001, at=200)
        recorder.observe(tm.SCHEDULE_LAG, 0.001, at=201)
    for _ in range(5):
        recorder.observe(tm.SCHEDULE_LAG, 0.2, at=201)  # 5% of 201's sends were 200 ms late
    recorder.observe(tm.EVENT_LOOP_STALL, 0.3, at=202)  # the hub froze for 300 ms
    recorder.observe(tm.EVENT_LOOP_STALL, 0.02, at=203)
    for _ in range(25):
        recorder.observe(tm.SCHEDULE_LAG, 0.001, at=204)
    recorder.observe(tm.SCHEDULE_LAG, 0.06, at=204)  # one outlier of 26: p99, but not behind
    series = {s.t: s for s in recorder.drain(final=True, now=205).seconds}
    marked = {t for t, s in series.items() if s.counters.get(tm.WORKER_UNRELIABLE + "w7")}
    assert marked == {201, 202}


def test_a_gauge_is_set_per_worker_and_summed_on_merge() -> None:
    a, b = Recorder("a"), Recorder("b")
    for n in (3, 4, 5):
        a.gauge(tm.USERS, n, at=300.5)  # the last level set in a second is its level
    b.gauge(tm.USERS, 2, at=300.9)
    series = tm.merge_batches([a.drain(final=True, now=301), b.drain(final=True, now=301)])
    assert series[0].counters[tm.USERS] == 7


def test_a_gauge_shipped_again_by_the_same_worker_is_its_last_level_not_a_sum() -> None:
    """The final flush ships second 300 with the users gauge, the probe sets it again in the
    same second, and the stop drain ships it once more: the worker still had 5 users, not 10."""
    a, b = Recorder("a"), Recorder("b")
    a.gauge(tm.USERS, 5, at=300.2)
    a.count(tm.REQUESTS, 1, at=300.2)
    flush = a.drain(final=True, now=300.3)
    a.gauge(tm.USERS, 4, at=300.8)  # a user stopped before the second ended: its last level
    a.count(tm.REQUESTS, 1, at=300.8)
    stop = a.drain(final=True, now=300.9)
    b.gauge(tm.USERS, 2, at=300.5)
    other = b.drain(final=True, now=301)
    for order in ([flush, stop, other], [other, stop, flush]):  # whatever order they arrive in
        series = tm.merge_batches(order)
        assert series[0].counters[tm.USERS] == 6
        assert series[0].counters[tm.REQUESTS] == 2  # counters still add up
    live: dict[int, tm.Second] = {}
    for batch in (flush, other, stop):  # the live tail merges batch by batch
        tm.merge_into(live, batch)
    assert live[300].counters[tm.USERS] == 6


def test_a_half_written_last_batch_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "batches.jsonl"
    recorder = Recorder("w")
    recorder.count(tm.REQUESTS, 3, at=10)
    whole = json.dumps(recorder.drain(now=12).to_json())
    recorder.count(tm.REQUESTS, 4, at=11)
    last = json.dumps(recorder.drain(final=True, now=13).to_json())
    path.write_text(whole + "\n" + last[: len(last) // 2])  # the master killed mid-write
    warnings: list[str] = []
    batches = list(tm.read_batches(path, warnings))
    assert [b.seq for b in batches] == [0]
    assert len(warnings) == 1 and f"{path}:2" in warnings[0] and "half-written" in warnings[0]


def test_a_corrupt_batch_before_the_last_line_is_an_error_naming_file_and_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "batches.jsonl"
    batch = json.dumps(Recorder("w").drain(now=12).to_json())
    path.write_text(batch + "\n" + batch[:40] + "\n" + batch + "\n")
    with pytest.raises(LivefireError, match=rf"{path}:2: "):
        list(tm.read_batches(path, []))
    path.write_text(batch + "\n" + batch[:40] + "\n")  # complete lines: not a torn write
    with pytest.raises(LivefireError, match=rf"{path}:2: "):
        list(tm.read_batches(path))
