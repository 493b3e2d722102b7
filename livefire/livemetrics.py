"""Live Prometheus metrics of a game day while it goes (`run`/`suite --metrics-address`): scrape
it next to the platform's own dashboards (ci/grafana/ ships one for these names).

Every series carries the `scenario` label; `begin` drops the previous scenario's series, so a
suite exports only the scenario in play. An SLI with no data in the window is NaN (a gap on a
graph), never the last value it had. Faults become three series each, labelled with
`fault_id`, `fault` and `target`: `livefire_fault_active` (1 while in effect, then 0: a
Grafana annotation query `livefire_fault_active > 0` draws the windows) and the wall-clock
times of the injection and the revert.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Gauge

from livefire.progress import PHASES, Tick
from livefire.verdict.slis import SLIS, Sli

HISTORY = 900  # ticks kept for the live page (15 minutes at one a second)
FAULT_LABELS = ("scenario", "fault_id", "fault", "target")


def sli_metric(sli: Sli) -> str:
    """The exported name of an SLI, its unit as the suffix Prometheus names use:
    `livefire_sli_stream_latency_p95_seconds`, `livefire_sli_chat_loss_ratio`."""
    unit = "seconds" if sli.unit == "s" else "ratio"
    return f"livefire_sli_{sli.name.removesuffix('_' + unit)}_{unit}"


@dataclass(frozen=True)
class Point:
    """One measured second of the live page's plots."""

    elapsed: float  # where the measured seconds end, in seconds since load started
    slis: dict[str, float | None]
    users: int | None
    phase: str


class LiveMetrics:
    """A registry of the run's live gauges, updated from Ticks, and a short history of them."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.scenario = ""
        self.history: deque[Point] = deque(maxlen=HISTORY)
        self.last: Tick | None = None
        self.t0 = 0.0  # wall-clock time at elapsed 0 (the live page places faults by it)
        self.promises: dict[tuple[str, str], float] = {}  # (sli, phase) → the scenario's SLO
        self.lock = threading.Lock()  # the HTTP server reads history from its own thread
        self._gauges: list[Gauge] = []
        self.elapsed = self._gauge("livefire_run_elapsed_seconds", "seconds since load started")
        self.duration = self._gauge("livefire_run_duration_seconds", "the scenario's duration")
        self.position = self._gauge("livefire_suite_position", "this scenario's place in a suite")
        self.size = self._gauge("livefire_suite_scenarios", "scenarios in the suite (run: 1)")
        self.users = self._gauge("livefire_users", "running users the workers report")
        self.planned = self._gauge("livefire_users_planned", "users the load shape asks for now")
        self.faults = self._gauge("livefire_active_faults", "faults in effect now")
        self.slo = self._gauge(
            "livefire_slo",
            "the scenario's promise for an SLI in a phase (overall, before/during/after_faults), "
            "in the SLI's unit",
            ("sli", "phase"),
        )
        self.phase = self._gauge(
            "livefire_phase", "1 for the fault timeline's phase now, 0 for the others", ("phase",)
        )
        self.slis = {
            name: self._gauge(
                sli_metric(SLIS.get(name)),
                f"{name} over the last settled seconds (NaN: no data)",
            )
            for name in SLIS
        }
        self.active = self._gauge("livefire_fault_active", "1 while the fault is in effect", None)
        self.injected = self._gauge(
            "livefire_fault_injected_timestamp_seconds", "when the fault was injected", None
        )
        self.reverted = self._gauge(
            "livefire_fault_reverted_timestamp_seconds", "when the fault was reverted", None
        )

    def _gauge(self, name: str, doc: str, extra: tuple[str, ...] | None = ()) -> Gauge:
        labels = FAULT_LABELS if extra is None else ("scenario", *extra)
        gauge = Gauge(name, doc, labels, registry=self.registry)
        self._gauges.append(gauge)
        return gauge

    def begin(
        self,
        scenario: str,
        position: int = 1,
        size: int = 1,
        promises: Mapping[tuple[str, str], float] | None = None,
    ) -> None:
        """A new scenario is in play: forget the last one's series and history. `promises`:
        its SLOs, (sli, phase) → threshold, exported beside the SLIs they bound."""
        with self.lock:
            for gauge in self._gauges:
                gauge.clear()
            self.scenario, self.last, self.t0 = scenario, None, 0.0
            self.promises = dict(promises or {})
            self.history.clear()
        self.position.labels(scenario).set(position)
        self.size.labels(scenario).set(size)
        for (sli, phase), threshold in self.promises.items():
            self.slo.labels(scenario, sli, phase).set(threshold)

    def update(self, tick: Tick) -> None:
        name = self.scenario
        if not self.t0 and tick.elapsed > 0:
            self.t0 = time.time() - tick.elapsed
        self.elapsed.labels(name).set(tick.elapsed)
        self.duration.labels(name).set(tick.duration)
        self.faults.labels(name).set(len(tick.active_faults))
        if tick.phase:
            for phase in PHASES:
                self.phase.labels(name, phase).set(1 if phase == tick.phase else 0)
        if tick.users_planned is not None:
            self.planned.labels(name).set(tick.users_planned)
        for mark in tick.faults:
            labels = (name, mark.fault_id, mark.fault, mark.target)
            self.active.labels(*labels).set(1 if mark.reverted is None else 0)
            self.injected.labels(*labels).set(mark.injected)
            if mark.reverted is not None:
                self.reverted.labels(*labels).set(mark.reverted)
        if tick.slis is None:
            with self.lock:
                self.last = tick
            return
        self.users.labels(name).set(math.nan if tick.users is None else tick.users)
        for sli, value in tick.slis.items():
            if sli in self.slis:
                self.slis[sli].labels(name).set(math.nan if value is None else value)
        with self.lock:
            self.last = tick
            at = tick.elapsed if tick.measured_to is None else tick.measured_to - self.t0
            self.history.append(Point(at, dict(tick.slis), tick.users, tick.phase))
