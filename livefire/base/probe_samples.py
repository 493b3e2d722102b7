"""Probe samples: what the platform said about itself, one reading at a time.

A probe is read by the conductor (never by the Locust workers) every few seconds, so its
telemetry is not a mergeable per-second histogram but a list of timestamped readings, kept in
`RUN_DIR/telemetry/probes.jsonl`, one JSON object a line, appended and flushed as each is taken
(a run killed mid-way keeps what it read). A reading either has a value or says why it has none
(`error`): unreachable, an HTTP status not expected, no series, not a number. A reading without
a value is "no data", which never holds any condition.

`per_second` turns readings into the per-second series the verdict times recoveries on: each
second carries the latest reading taken within the probe's interval before its end.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

STEADY_STATE = "steady_state"  # `tag` of the readings the conductor took to check it
AFTER = "after"  # `tag` of the readings taken once every fault was reverted, at the end


@dataclass(frozen=True)
class ProbeSample:
    probe: str  # the probe's name in the scenario
    t: float  # epoch at which the reading was taken (its start)
    value: float | None  # None: no data (see `error`)
    error: str = ""  # why there is no value; "" when there is one
    took_s: float = 0.0  # how long the reading took
    tag: str = ""  # STEADY_STATE for the conductor's steady-state check, else ""

    @property
    def ok(self) -> bool:
        return self.value is not None and math.isfinite(self.value)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProbeSample:
        value = data.get("value")
        return cls(
            str(data["probe"]),
            float(data["t"]),
            None if value is None else float(value),
            str(data.get("error", "")),
            float(data.get("took_s", 0.0)),
            str(data.get("tag", "")),
        )


def append(path: Path, sample: ProbeSample) -> None:
    """Add one reading to `path`, flushed so a reader (and a crash) sees it whole."""
    with path.open("a") as out:
        out.write(json.dumps(sample.to_json()) + "\n")
        out.flush()


def read(path: Path) -> list[ProbeSample]:
    """Every whole reading in `path` (a torn last line, a kill mid-write, is skipped)."""
    if not path.exists():
        return []
    out = []
    with path.open() as source:
        for line in source:
            if line.endswith("\n") and line.strip():
                out.append(ProbeSample.from_json(json.loads(line)))
    return out


def of(samples: Iterable[ProbeSample], probe: str) -> list[ProbeSample]:
    """One probe's readings, in time order."""
    return sorted((s for s in samples if s.probe == probe), key=lambda s: s.t)


def between(samples: Sequence[ProbeSample], start: float, end: float) -> list[ProbeSample]:
    """The readings taken in [start, end)."""
    return [s for s in samples if start <= s.t < end]


def per_second(
    samples: Sequence[ProbeSample], start: float, end: float, every: float
) -> dict[int, float | None]:
    """Second t → the latest reading taken in [t + 1 − every − 1, t + 1) (its value, or None
    for no data), for every second of [start, end). A second with no reading that recent is no
    data too: a probe that stopped answering cannot look healthy."""
    ordered = sorted(samples, key=lambda s: s.t)
    out: dict[int, float | None] = {}
    index, latest = 0, None
    for t in range(math.floor(start), math.ceil(end)):
        while index < len(ordered) and ordered[index].t < t + 1:
            latest = ordered[index]
            index += 1
        fresh = latest is not None and latest.t >= t + 1 - every - 1.0
        out[t] = latest.value if fresh and latest is not None and latest.ok else None
    return out
