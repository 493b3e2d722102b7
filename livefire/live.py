"""The run as it happens: tail the master's telemetry file into a per-second series, for the
progress line and for guard SLIs that abort a run which is hurting the target too much."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from livefire.base.merging import RunningSeries
from livefire.base.telemetry import Batch, Second
from livefire.scenario.slos import Guard
from livefire.verdict.slis import SLIS, format_value

SETTLE_S = 3  # a second is judged live only this long after it ended (late batches)


@dataclass
class LiveSeries:
    path: Path
    running: RunningSeries = field(default_factory=RunningSeries)  # bounded: see merging
    _offset: int = 0

    @property
    def seconds(self) -> dict[int, Second]:
        return self.running.seconds

    def poll(self) -> None:
        """Merge whatever the master appended since the last poll."""
        if not self.path.exists():
            return
        with self.path.open() as source:
            source.seek(self._offset)
            while True:
                line = source.readline()
                if not line.endswith("\n"):
                    break  # half-written: read it next time
                self._offset = source.tell()
                self._add(Batch.from_json(json.loads(line)))

    def _add(self, batch: Batch) -> None:
        self.running.add(batch)  # a replayed (worker, seq) counts once

    def settled(self, now: float, last: int) -> list[Second]:
        """The `last` seconds that ended at least SETTLE_S ago (missing ones are skipped)."""
        end = int(now) - SETTLE_S
        return [self.seconds[t] for t in range(end - last, end) if t in self.seconds]


def breached(guard: Guard, live: LiveSeries, now: float) -> str | None:
    """Why the guard trips: its SLI, measured over the last `for` settled seconds together
    (as a dashboard's window would), is past the limit. A window not yet full never trips."""
    window = live.settled(now, int(guard.for_))
    if len(window) < int(guard.for_):
        return None
    sli = SLIS.get(guard.sli)
    value = sli.measure(window)
    if value is None or sli.holds(value, guard.limit):
        return None
    return (
        f"guard {guard.sli} past {format_value(sli, guard.limit)} over {guard.for_:g} s "
        f"(measured {format_value(sli, value)})"
    )
