"""What a finished run leaves for the verdict and the reports: the conductor fills it in, the
judge and the report builders read it, and neither of those needs the conductor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chaos.journal import Entry
from livefire.base.description import TargetDescription
from livefire.base.probe_samples import ProbeSample
from livefire.base.telemetry import ClockBounds, Second


@dataclass
class RunOutcome:
    status: str  # completed | interrupted | failed
    started: float = 0.0  # epoch when load started
    ended: float = 0.0
    series: list[Second] = field(default_factory=list)
    journal: list[Entry] = field(default_factory=list)
    target: TargetDescription = field(default_factory=TargetDescription)
    revert_failures: list[str] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)  # the gifters' journal
    ledger: list[dict[str, Any]] | None = None  # the platform's ledger, read after the load
    clocks: dict[str, ClockBounds] = field(default_factory=dict)  # worker → offset bound
    measured_by: dict[str, frozenset[str]] = field(default_factory=dict)  # worker → histograms
    error: str = ""
    telemetry_warnings: list[str] = field(default_factory=list)  # e.g. a torn last batch skipped
    setup_warnings: list[str] = field(default_factory=list)  # e.g. TLS verification turned off
    revert_watchdog: int | None = None  # pid of the watchdog left retrying revert_failures
    probe_samples: list[ProbeSample] = field(default_factory=list)  # every probe reading
