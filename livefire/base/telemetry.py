"""Telemetry: per-second mergeable histograms and counters, the one currency between the load
generator and the verdict engine.

A `Second` holds, for one wall-clock second, an HdrHistogram (microseconds, 3 significant
digits) per timing metric and an integer per counter. Workers ship `Batch`es of seconds to the
master, tagged with worker id and sequence number; merging is addition, so percentiles are
always taken from merged histograms, never averaged. A gauge (`GAUGES`) is a level, not a
count: one worker's level for a second is the last it shipped (a second can travel in two
batches, the final flush and the stop drain), and the merged level is the sum over workers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livefire.base.errors import TelemetryError
from livefire.base.histogram import DIGITS, HIGHEST_US, LOWEST_US, Histogram
from livefire.base.stages import STAGES

log = logging.getLogger(__name__)
__all__ = ["DIGITS", "HIGHEST_US", "LOWEST_US", "Histogram"]  # and every name defined here

# Timing metrics (histograms, recorded in microseconds)
STREAM_LATENCY = "stream_latency"  # last byte of a segment − (its PDT + its duration)
GLASS_TO_GLASS = "glass_to_glass"  # last byte − (capture time read from the pixels + duration)
PDT_ERROR = "pdt_error"  # |a segment's PDT − the capture time read from its first frame|
STARTUP = "startup"  # first playlist request → first segment complete
REQUEST_LATENCY = "request_latency"  # from intended send time to last byte
SCHEDULE_LAG = "schedule_lag"  # actual send time − intended send time (generator health)
CHAT_LATENCY = "chat_latency"  # receipt time − the message's sent_at
GIFT_LATENCY = "gift_latency"  # first POST → acknowledgement (retries included)
SEARCH_LATENCY = "search_latency"  # discovery GET /search, from its intended send time
EVENT_LOOP_STALL = "event_loop_stall"  # how late a worker's 100 ms hub timer fired (health)
# a segment's latency split by the platform's stage stamps (`livefire.base.stages`): one
# histogram per stage, named there; only a platform that stamps segments records them
STAGE_HISTOGRAMS = tuple(stage.name for stage in STAGES)
HISTOGRAMS = (
    STREAM_LATENCY,
    GLASS_TO_GLASS,
    PDT_ERROR,
    STARTUP,
    REQUEST_LATENCY,
    SCHEDULE_LAG,
    CHAT_LATENCY,
    GIFT_LATENCY,
    SEARCH_LATENCY,
    EVENT_LOOP_STALL,
    *STAGE_HISTOGRAMS,
)

# Counters
REQUESTS, REQUEST_ERRORS = "requests", "request_errors"
SEGMENTS, STALLS, STALL_MS = "segments", "stalls", "stall_ms"
SESSION_RESTARTS = "session_restarts"  # a viewer had to start over
SEGMENTS_DECODED, SEGMENTS_INVALID = "segments_decoded", "segments_invalid"  # PyAV sample
TIMECODES_READ = "timecodes_read"  # decoded samples whose first frame's timecode was read
TIMECODES_UNREADABLE = "timecodes_unreadable"  # valid samples with no code, or a misread one
PDT_ERROR_SIGNED_MS = "pdt_error_signed_ms"  # sum of (PDT − capture) in ms: late PDT is > 0
UPSWITCHES, DOWNSWITCHES = "abr_upswitches", "abr_downswitches"  # rendition changes
HEARTBEAT = "heartbeat"  # each worker adds 1 to every second it was alive: gaps show
WORKER_UNRELIABLE = "worker_unreliable@"  # + worker id: 1 in each second that worker fell
# behind (its own schedule lag p99 or event-loop stall over the run's limits): INCONCLUSIVE
VIEWERS_WATCHING = "viewers_watching"  # a gauge: viewers past their first segment, sampled 1/s
VIEWERS_STALLED = "viewers_stalled"  # a gauge: of those, stalled or starting over right then
USERS = "users"  # a gauge: each worker's running users, set once a second, summed on merge
GAUGES = frozenset({VIEWERS_WATCHING, VIEWERS_STALLED, USERS})  # levels: see merge_into
STARTUP_FAILURES = "startup_failures"  # a viewer session without a first segment in 10 s,
# or that gave up before one: counts as an infinite startup time
STREAMS_STARTED, STREAMS_BROKEN = "streams_started", "streams_broken"  # a viewer's session
# breaks (once) when it stalls longer than max_stall or has to start over
CHAT_SENT = "chat_sent@"  # + room: messages sent in that room this second
CHAT_MEMBERS = "chat_members@"  # + room: chatters joined to that room for this whole second
CHAT_RECEIVED, CHAT_RECEIVED_100MS = "chat_received", "chat_received_100ms"
CHAT_ERRORS = "chat_errors"  # connection failures, error frames, messages without an id
CHAT_DUPLICATES = "chat_duplicates"  # a message id received again (never a second receipt)
CHAT_MISROUTED = "chat_misrouted"  # a message of another room (never a receipt)
CHAT_EXPIRED = "chat_expired"  # arrived over 5 min after sending: lost, never a duplicate
GIFTS_ATTEMPTED, GIFTS_ACKED = "gifts_attempted", "gifts_acked"  # acked within the timeout
SEARCHES, SEARCH_ERRORS = "searches", "search_errors"
INGEST_BYTES = "ingest_bytes"  # MPEG-TS bytes creators pushed
INGEST_INTERRUPTIONS = "ingest_interruptions"  # a creator's push broke and had to reconnect
GIFTS_INDETERMINATE = "gifts_indeterminate"  # never acknowledged: may or may not exist
STREAMS_DEGRADED = "streams_degraded"  # a viewer's session (once) stalled or dropped below target
WATCHED_MS = "watched_ms"  # media played by viewers' player-buffer models
SEGMENTS_EARLY = "segments_early"  # arrived before PDT + duration: clocks or PDT are wrong
STAGE_STAMPS_DISORDERED = "stage_stamps_disordered"  # stage stamps ran backwards: not used


def new_histogram() -> Histogram:
    """An empty compact histogram (see `livefire.base.histogram`)."""
    return Histogram()


@dataclass
class Second:
    """Everything observed during one wall-clock second (by one worker, or merged)."""

    t: int
    histograms: dict[str, Histogram] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    levels: dict[tuple[str, str], tuple[int, int]] = field(
        default_factory=dict, repr=False, compare=False
    )
    """In a merged second: (gauge, worker) → (batch seq, level) of the latest batch merged."""

    def observe(self, metric: str, seconds: float) -> None:
        hist = self.histograms.get(metric)
        if hist is None:
            hist = self.histograms[metric] = new_histogram()
        hist.record_value(min(max(int(seconds * 1e6), LOWEST_US), HIGHEST_US))

    def count(self, counter: str, n: int = 1) -> None:
        self.counters[counter] = self.counters.get(counter, 0) + n

    def merge(self, other: Second, worker: str | None = None, seq: int = 0) -> None:
        """Add `other` in. Given the `worker` and batch `seq` it came in, a gauge replaces
        that worker's earlier level for this second instead of adding to it."""
        for name, hist in other.histograms.items():
            mine = self.histograms.get(name)
            if mine is None:
                mine = self.histograms[name] = new_histogram()
            mine.add(hist)
        for name, n in other.counters.items():
            if worker is None or name not in GAUGES:
                self.count(name, n)
                continue
            before = self.levels.get((name, worker))
            if before is not None and before[0] > seq:
                continue  # an older batch arriving late: the newer level stands
            self.levels[(name, worker)] = (seq, n)
            self.count(name, n - (before[1] if before is not None else 0))

    def to_json(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "h": {name: hist.encode().decode() for name, hist in self.histograms.items()},
            "c": self.counters,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], narrow: bool = True) -> Second:
        """`narrow=False`: a batch's second, only merged and dropped (see `Histogram.decode`)."""
        histograms = {}
        for name, text in data.get("h", {}).items():
            histograms[name] = Histogram.decode(text, narrow)
        return cls(int(data["t"]), histograms, dict(data.get("c", {})))


@dataclass(frozen=True)
class ClockBounds:
    """What a worker knows of (the platform's clock − its own), in seconds: the offset lies in
    [lo, hi]. Estimated by `loadgen.clock` from response Date headers."""

    lo: float
    hi: float
    samples: int
    inconsistent: int = 0  # samples that contradicted the rest (servers' clocks disagree)
    worst: float = 0.0  # by how far the most contradictory sample missed [lo, hi], s

    @property
    def offset(self) -> float:
        return (self.lo + self.hi) / 2

    @property
    def uncertainty(self) -> float:
        return (self.hi - self.lo) / 2

    def to_json(self) -> dict[str, Any]:
        return {
            "lo": self.lo,
            "hi": self.hi,
            "samples": self.samples,
            "bad": self.inconsistent,
            "worst": self.worst,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClockBounds:
        return cls(
            float(data["lo"]),
            float(data["hi"]),
            int(data["samples"]),
            int(data["bad"]),
            float(data.get("worst", 0.0)),
        )


@dataclass
class Batch:
    """What a worker ships once a second: complete seconds, numbered per worker."""

    worker: str
    seq: int
    seconds: list[Second]
    final: bool = False
    records: list[dict[str, Any]] = field(default_factory=list)  # e.g. the gifters' journal
    clock: ClockBounds | None = None  # the worker's clock offset bound so far, if it has one

    def to_json(self) -> dict[str, Any]:
        return {
            "worker": self.worker,
            "seq": self.seq,
            "final": self.final,
            "seconds": [s.to_json() for s in self.seconds],
            "records": self.records,
            "clock": None if self.clock is None else self.clock.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Batch:
        seconds = [Second.from_json(s, narrow=False) for s in data["seconds"]]
        records = list(data.get("records", []))
        clock = ClockBounds.from_json(data["clock"]) if data.get("clock") else None
        final = bool(data.get("final"))
        return cls(str(data["worker"]), int(data["seq"]), seconds, final, records, clock)


def unique_batches(
    batches: Iterable[Batch], seen: set[tuple[str, int]] | None = None
) -> Iterator[Batch]:
    """Each (worker, seq) once: a batch Locust delivered twice, or a file read twice, must
    not count twice. Every reader of batches.jsonl goes through here; pass `seen` to keep
    de-duplicating across calls (a file tailed as it grows)."""
    seen = set() if seen is None else seen
    for batch in batches:
        if (batch.worker, batch.seq) not in seen:
            seen.add((batch.worker, batch.seq))
            yield batch


def merge_into(merged: dict[int, Second], batch: Batch) -> None:
    """Add one batch's seconds to a series keyed by second (a gauge: see `Second.merge`)."""
    for second in batch.seconds:
        merged.setdefault(second.t, Second(second.t)).merge(second, batch.worker, batch.seq)


def merge_batches(batches: Iterable[Batch]) -> list[Second]:
    """Merge every worker's seconds into one series; a replayed (worker, seq) counts once."""
    merged: dict[int, Second] = {}
    for batch in unique_batches(batches):
        merge_into(merged, batch)
    return [merged[t] for t in sorted(merged)]


def unique_records(batches: Iterable[Batch]) -> list[dict[str, Any]]:
    """Every record shipped, once (a replayed batch is skipped)."""
    return [record for batch in unique_batches(batches) for record in batch.records]


def worker_clocks(batches: Iterable[Batch]) -> dict[str, ClockBounds]:
    """Each worker's latest clock bound (its bounds only ever narrow, so the last is best)."""
    latest: dict[str, tuple[int, ClockBounds]] = {}
    for batch in batches:
        if batch.clock is not None and batch.seq >= latest.get(batch.worker, (-1, None))[0]:
            latest[batch.worker] = (batch.seq, batch.clock)
    return {worker: clock for worker, (_, clock) in sorted(latest.items())}


def worker_metrics(batches: Iterable[Batch]) -> dict[str, frozenset[str]]:
    """The histograms each worker recorded: whose clock a latency figure rests on."""
    found: dict[str, set[str]] = {}
    for batch in batches:
        names = found.setdefault(batch.worker, set())
        for second in batch.seconds:
            names.update(second.histograms)
    return {worker: frozenset(names) for worker, names in sorted(found.items())}


def write_series(path: Path, series: Iterable[Second]) -> None:
    with path.open("w") as out:
        for second in series:
            out.write(json.dumps(second.to_json()) + "\n")


def read_series(path: Path) -> list[Second]:
    return [Second.from_json(json.loads(line)) for _, line in _lines(path)]


def read_batches(path: Path, warnings: list[str] | None = None) -> Iterator[Batch]:
    """Every batch in a `batches.jsonl`. A last line cut short (no newline: the master was
    killed while appending it) is skipped, with a warning appended to `warnings` and logged;
    any other line that is not a batch raises TelemetryError naming the file and line."""
    for number, line in _lines(path):
        try:
            batch = Batch.from_json(json.loads(line))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            where = f"{path}:{number}"
            if line.endswith("\n"):
                raise TelemetryError(
                    f"{where}: not a telemetry batch ({type(exc).__name__}: {exc}); the file "
                    "is written only by the Locust master, one JSON batch per line"
                ) from exc
            warning = f"{where}: half-written last batch skipped (the master stopped mid-write)"
            log.warning("%s", warning)
            if warnings is not None:
                warnings.append(warning)
            return
        yield batch


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line with its newline, if it has one) of every non-blank line."""
    if not path.exists():
        return
    with path.open() as source:
        for number, line in enumerate(source, 1):
            if line.strip():
                yield number, line
