"""What the conductor tells whoever watches a run, once a second and at every fault event.

The conductor already merges the last few settled seconds of telemetry for its guards; a
`Tick` carries those same seconds (never a second read of the telemetry) and every SLI over
them, measured when first asked for; the users the workers reported; the phase of the fault
timeline; and every fault injected so far with its times. So the progress line, the live
Prometheus metrics and the live page are all fed from one place. `Tracker` is clock-free:
every call is given the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from livefire.base.telemetry import USERS, Second
from livefire.timeline import PlannedFault
from livefire.verdict.slis import SLIS

PHASES = ("before_faults", "during_faults", "between_faults", "after_faults", "ended")
"""before the first injection; while one is in effect; between two; after the last revert;
the load has stopped (the run is being judged)."""


@dataclass(frozen=True)
class FaultMark:
    """One fault the conductor injected: the annotation a dashboard draws."""

    fault_id: str
    fault: str
    target: str
    injected: float  # wall-clock time of the injection
    reverted: float | None = None  # wall-clock time of the revert; None while in effect


@dataclass(frozen=True)
class Tick:
    """Progress, once a second, for whoever shows it."""

    elapsed: float
    duration: float
    active_faults: tuple[str, ...]
    event: str = ""  # e.g. "inject f0 edge-latency on edge-apac"
    latency_p95: float | None = None  # the last few settled seconds, for the progress line
    error_rate: float | None = None
    users: int | None = None  # running users the workers reported in the latest of them
    users_planned: int | None = None  # what the scenario's shape asks for right now
    phase: str = ""  # one of PHASES
    faults: tuple[FaultMark, ...] = ()  # every fault injected so far in this run
    measured_to: float | None = None
    """Wall-clock end of the latest second measured: the figures lag `elapsed` by the
    settling time and the window, and a plot places them here."""
    recent: Sequence[Second] | None = field(default=None, repr=False, compare=False)
    """The settled seconds this tick was measured on; None for an event tick."""

    @cached_property
    def slis(self) -> dict[str, float | None] | None:
        """Every registered SLI over `recent` (None: no data), measured when first asked: a
        live view asks, the progress line needs only the two figures above. None for an
        event tick, so a watcher keeps the last figures."""
        return None if self.recent is None else measure_all(self.recent)


def measure_all(recent: Sequence[Second]) -> dict[str, float | None]:
    """Every registered SLI over `recent` (the seconds the progress line is measured on)."""
    return {name: SLIS.get(name).measure(recent) for name in SLIS}


def phase_of(planned: int, pending: int, active: int) -> str:
    """The phase of the fault timeline, as the verdict names its phases (plus `between`)."""
    if active:
        return "during_faults"
    if pending == planned:
        return "before_faults"
    return "after_faults" if not pending else "between_faults"


@dataclass
class Tracker:
    """The fault marks and phase of one run, turned into Ticks by `tick`."""

    duration: float
    planned: int  # how many faults the timeline holds
    marks: dict[str, FaultMark] = field(default_factory=dict)
    attempted: int = 0  # injections tried so far (a failed one is over, too)

    def injected(self, fault: PlannedFault, at: float, ok: bool) -> None:
        self.attempted += 1
        if ok:
            self.marks[fault.fault_id] = FaultMark(fault.fault_id, fault.fault, fault.target, at)

    def reverted(self, fault_id: str, at: float) -> None:
        mark = self.marks.get(fault_id)
        if mark is not None and mark.reverted is None:
            self.marks[fault_id] = replace(mark, reverted=at)

    def tick(
        self,
        elapsed: float,
        active: Sequence[str],
        event: str = "",
        recent: Sequence[Second] | None = None,
        users_planned: int | None = None,
    ) -> Tick:
        window = recent or []
        return Tick(
            elapsed,
            self.duration,
            tuple(active),
            event,
            SLIS.get("stream_latency_p95").measure(window) if window else None,
            SLIS.get("viewer_error_rate").measure(window) if window else None,
            window[-1].counters.get(USERS) if window else None,
            users_planned,
            phase_of(self.planned, self.planned - self.attempted, len(active)),
            tuple(self.marks.values()),
            float(window[-1].t + 1) if window else None,
            None if recent is None else tuple(recent),
        )

    def ended(self, elapsed: float, at: float, still_active: Sequence[str] = ()) -> Tick:
        """The load stopped and the final revert ran: every fault not in `still_active`
        is over now."""
        for fault_id in list(self.marks):
            if fault_id not in still_active:
                self.reverted(fault_id, at)
        return replace(self.tick(elapsed, tuple(still_active)), phase="ended")
