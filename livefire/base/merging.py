"""The run's telemetry merged as its batches arrive: the master keeps one `RunningSeries`, so at
the end of the run the series is written from it, not replayed from `batches.jsonl`.

Bounded for hours of 1,000 workers: histograms are compact (`livefire.base.histogram`), the
(worker, seq) pairs already merged are kept per worker as a high-water mark and the few seqs
that arrived ahead of it, and the gauges' per-worker levels (`Second.levels`, which let a
second shipped twice replace a level instead of adding to it) are forgotten for seconds more
than `LEVELS_KEPT_S` older than the newest: a worker ships a second twice only at its end,
the final flush and the stop drain, seconds apart.

`write_run` / `read_run` are the master's output and the judge's input: `series.jsonl`, and
`run.json` with the records, clocks, the histograms each worker recorded and how far into
`batches.jsonl` the series goes. A series that does not cover the whole `batches.jsonl` (the
master was killed, or batches arrived after its last write) is rebuilt from `batches.jsonl`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livefire.base.telemetry import (
    Batch,
    ClockBounds,
    Second,
    merge_into,
    read_batches,
    read_series,
    write_series,
)

LEVELS_KEPT_S = 120
SETTLE_S = 10  # a second this much older than the newest is folded to its compact form
RUN_FILE = "run.json"


@dataclass
class Seen:
    """Which seqs of one worker were merged: all below `next`, and those in `ahead`."""

    next: int = 0
    ahead: set[int] = field(default_factory=set)

    def add(self, seq: int) -> bool:
        """Mark `seq` merged; False when it already was."""
        if seq < self.next or seq in self.ahead:
            return False
        self.ahead.add(seq)
        while self.next in self.ahead:
            self.ahead.remove(self.next)
            self.next += 1
        return True


@dataclass
class RunningSeries:
    seconds: dict[int, Second] = field(default_factory=dict)
    seen: dict[str, Seen] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    clocks: dict[str, tuple[int, ClockBounds]] = field(default_factory=dict)
    metrics: dict[str, set[str]] = field(default_factory=dict)
    _newest: int = 0
    _pruned: int = 0
    _settled: int = 0

    def add(self, batch: Batch) -> bool:
        """Merge a batch in; False (and nothing counted) for a (worker, seq) seen before."""
        if not self.seen.setdefault(batch.worker, Seen()).add(batch.seq):
            return False
        merge_into(self.seconds, batch)
        self.records.extend(batch.records)
        if batch.clock is not None and batch.seq >= self.clocks.get(batch.worker, (-1,))[0]:
            self.clocks[batch.worker] = (batch.seq, batch.clock)
        names = self.metrics.setdefault(batch.worker, set())
        for second in batch.seconds:
            names.update(second.histograms)
            self._newest = max(self._newest, second.t)
        self._forget_levels()
        return True

    def _forget_levels(self) -> None:
        """Fold settled seconds to their compact form; forget levels of old ones."""
        if not self.seconds:
            return
        horizon = self._newest - LEVELS_KEPT_S
        if self._pruned == 0:  # the first second merged: nothing before it to visit
            self._pruned = self._settled = min(self.seconds)
        for t in range(self._settled, self._newest - SETTLE_S):
            for hist in self.seconds[t].histograms.values() if t in self.seconds else ():
                hist.sparse()
        self._settled = max(self._settled, self._newest - SETTLE_S)
        for t in range(self._pruned, horizon):
            second = self.seconds.get(t)
            if second is not None:
                second.levels = {}
        self._pruned = max(self._pruned, horizon)

    def series(self) -> list[Second]:
        return [self.seconds[t] for t in sorted(self.seconds)]

    def worker_clocks(self) -> dict[str, ClockBounds]:
        return {worker: clock for worker, (_, clock) in sorted(self.clocks.items())}

    def worker_metrics(self) -> dict[str, frozenset[str]]:
        return {worker: frozenset(names) for worker, names in sorted(self.metrics.items())}


def merged(batches: Iterable[Batch]) -> RunningSeries:
    running = RunningSeries()
    for batch in batches:
        running.add(batch)
    return running


def write_run(directory: Path, running: RunningSeries, offset: int) -> None:
    """series.jsonl and run.json, each replaced whole; `offset`: the size of batches.jsonl
    the series covers."""
    series = directory / "series.jsonl"
    partial = series.with_suffix(".jsonl.part")
    write_series(partial, running.series())
    os.replace(partial, series)
    run = {
        "offset": offset,
        "records": running.records,
        "clocks": {w: c.to_json() for w, c in running.worker_clocks().items()},
        "measured_by": {w: sorted(n) for w, n in running.worker_metrics().items()},
    }
    (directory / (RUN_FILE + ".part")).write_text(json.dumps(run))
    os.replace(directory / (RUN_FILE + ".part"), directory / RUN_FILE)


@dataclass
class RunTelemetry:
    series: list[Second]
    records: list[dict[str, Any]]
    clocks: dict[str, ClockBounds]
    measured_by: dict[str, frozenset[str]]


def read_run(directory: Path, warnings: list[str] | None = None) -> RunTelemetry:
    """What the judge needs: from the master's series when it covers all of batches.jsonl,
    else merged again from batches.jsonl (the durable record)."""
    batches, run_file = directory / "batches.jsonl", directory / RUN_FILE
    size = batches.stat().st_size if batches.exists() else 0
    run = json.loads(run_file.read_text()) if run_file.exists() else None
    if run is not None and run.get("offset") == size and (directory / "series.jsonl").exists():
        return RunTelemetry(
            read_series(directory / "series.jsonl"),
            list(run["records"]),
            {w: ClockBounds.from_json(c) for w, c in run["clocks"].items()},
            {w: frozenset(n) for w, n in run["measured_by"].items()},
        )
    running = merged(read_batches(batches, warnings))
    return RunTelemetry(
        running.series(), running.records, running.worker_clocks(), running.worker_metrics()
    )
