"""Guards on the live series: a breach lasting `for` seconds trips, a shorter one does not."""

import json
from pathlib import Path

from livefire.base import telemetry as tm
from livefire.live import LiveSeries, breached
from livefire.scenario.schema import Guard

GUARD = Guard.model_validate({"sli": "viewer_error_rate", "limit": "50%", "for": "5s"})


def write(path: Path, worker: str, seq: int, t: int, errors: int) -> None:
    second = tm.Second(t)
    second.count(tm.REQUESTS, 10)
    second.count(tm.REQUEST_ERRORS, errors)
    with path.open("a") as out:
        out.write(json.dumps(tm.Batch(worker, seq, [second]).to_json()) + "\n")


def test_guard_trips_only_after_for_seconds_in_a_row(tmp_path: Path) -> None:
    path = tmp_path / "batches.jsonl"
    live = LiveSeries(path)
    for i, t in enumerate(range(100, 110)):
        write(path, "w", i, t, errors=8 if t >= 104 else 0)
    live.poll()
    # settled window at now=111.5: 103..107 → 32 errors of 50 = 64% > 50%: trips
    assert "viewer_error_rate past 50%" in (breached(GUARD, live, now=111.5) or "")
    # at now=108.5 the window is 100..104: 8 errors of 50 = 16%: holds
    assert breached(GUARD, live, now=108.5) is None
    # a window that is not full never trips
    assert breached(GUARD, live, now=104.5) is None


def test_a_replayed_batch_and_a_half_written_line_are_handled(tmp_path: Path) -> None:
    path = tmp_path / "batches.jsonl"
    write(path, "w", 0, 100, errors=1)
    write(path, "w", 0, 100, errors=1)  # replayed
    with path.open("a") as out:
        out.write('{"worker": "w", "seq": 1')  # the master is mid-write
    live = LiveSeries(path)
    live.poll()
    assert live.seconds[100].counters[tm.REQUEST_ERRORS] == 1
