"""The master's running merge: each (worker, seq) once, bounded, and what the judge reads."""

import json
from pathlib import Path

from livefire.base import telemetry as tm
from livefire.base.merging import LEVELS_KEPT_S, RunningSeries, Seen, read_run, write_run
from loadgen.recorder import Recorder


def _batches() -> list[tm.Batch]:
    out = []
    for worker in ("a", "b"):
        recorder = Recorder(worker)
        for t in range(100, 106):
            recorder.count(tm.REQUESTS, 3, at=t + 0.5)
            recorder.observe(tm.STREAM_LATENCY, 0.1 + t / 1000, at=t + 0.5)
            recorder.gauge(tm.USERS, 10, at=t + 0.5)
            out.append(recorder.drain(now=t + 2))
        out.append(recorder.drain(final=True, now=107))
    return out


def _roundtrip(batch: tm.Batch) -> tm.Batch:
    return tm.Batch.from_json(json.loads(json.dumps(batch.to_json())))


def test_the_running_merge_equals_the_merge_of_all_batches() -> None:
    batches = [_roundtrip(b) for b in _batches()]
    running = RunningSeries()
    for batch in batches:
        running.add(batch)
    assert running.series() == tm.merge_batches(batches)


def test_a_replayed_or_late_batch_counts_once() -> None:
    batches = [_roundtrip(b) for b in _batches()]
    running = RunningSeries()
    order = batches[3:] + batches[:3] + batches[:5]  # late ones, then replays
    assert [running.add(b) for b in order].count(True) == len(batches)
    total = sum(s.counters.get(tm.REQUESTS, 0) for s in running.series())
    assert total == 2 * 6 * 3
    assert all(not seen.ahead for seen in running.seen.values())  # a mark, not a set


def test_seen_keeps_a_mark_and_only_the_seqs_ahead_of_it() -> None:
    seen = Seen()
    assert [seen.add(s) for s in (0, 2, 1, 2, 5)] == [True, True, True, False, True]
    assert (seen.next, seen.ahead) == (3, {5})


def test_levels_are_forgotten_behind_the_window_only() -> None:
    running = RunningSeries()
    for seq, t in enumerate(range(1000, 1000 + LEVELS_KEPT_S + 10)):
        second = tm.Second(t, counters={tm.USERS: 5})
        running.add(tm.Batch("a", seq, [second]))
    assert running.seconds[1000].levels == {}
    assert running.seconds[1000 + LEVELS_KEPT_S + 9].levels
    assert running.seconds[1000].counters[tm.USERS] == 5


def test_the_judge_reads_the_masters_series_when_it_covers_batches_jsonl(tmp_path: Path) -> None:
    batches = [_roundtrip(b) for b in _batches()]
    running = RunningSeries()
    with (tmp_path / "batches.jsonl").open("w") as out:
        for batch in batches:
            out.write(json.dumps(batch.to_json()) + "\n")
            running.add(batch)
        offset = out.tell()
    write_run(tmp_path, running, offset)
    (tmp_path / "batches.jsonl").rename(tmp_path / "kept.jsonl")
    (tmp_path / "batches.jsonl").write_text((tmp_path / "kept.jsonl").read_text())
    run = read_run(tmp_path)
    assert run.series == tm.merge_batches(batches)
    assert run.measured_by == tm.worker_metrics(batches)


def test_a_batch_stored_after_the_series_was_written_is_not_lost(tmp_path: Path) -> None:
    batches = [_roundtrip(b) for b in _batches()]
    running = RunningSeries()
    with (tmp_path / "batches.jsonl").open("w") as out:
        for batch in batches[:-1]:
            out.write(json.dumps(batch.to_json()) + "\n")
            running.add(batch)
        write_run(tmp_path, running, out.tell())
        out.write(json.dumps(batches[-1].to_json()) + "\n")  # after the master's last write
    run = read_run(tmp_path)
    assert run.series == tm.merge_batches(batches)


def test_without_the_masters_series_the_run_is_merged_from_batches_jsonl(tmp_path: Path) -> None:
    batches = _batches()
    with (tmp_path / "batches.jsonl").open("w") as out:
        for batch in batches:
            out.write(json.dumps(batch.to_json()) + "\n")
    run = read_run(tmp_path)
    assert run.series == tm.merge_batches(_roundtrip(b) for b in batches)
    assert run.clocks == tm.worker_clocks(batches)


def test_an_empty_first_batch_does_not_make_the_next_one_walk_from_zero() -> None:
    running = RunningSeries()
    running.add(tm.Batch("a", 0, []))  # a worker's first heartbeat can carry no second
    running.add(tm.Batch("a", 1, [tm.Second(1_700_000_000, counters={tm.USERS: 1})]))
    assert (running._pruned, running._settled) == (1_700_000_000, 1_700_000_000)
