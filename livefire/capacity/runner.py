"""Run a capacity search: start the target, offer each level, judge it, write capacity.json.

The only capacity module that starts processes; the analysis it calls is pure.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livefire.base.histogram import Histogram
from livefire.base.processes import ProcessGroup
from livefire.capacity.bounds import Bound, percentile_bound, ratio_bound
from livefire.capacity.openloop import Level, run_level
from livefire.capacity.search import Outcome, Search, judge
from livefire.capacity.spec import CapacitySpec, percentile_of


@dataclass
class Step:
    """One attempt at one load, with everything judged so far at that load."""

    load: float
    attempt: int
    outcome: Outcome
    bounds: dict[str, Bound | None]
    throughput: float
    mean_latency_s: float
    sent: int
    late: int
    elapsed_s: float

    def to_json(self) -> dict[str, Any]:
        return {
            "load": self.load,
            "attempt": self.attempt,
            "outcome": self.outcome.value,
            "bounds": {
                k: None if b is None else {"value": b.value, "low": b.low, "high": b.high}
                for k, b in self.bounds.items()
            },
            "throughput": self.throughput,
            "mean_latency_s": self.mean_latency_s,
            "concurrency": self.throughput * self.mean_latency_s,  # Little's law
            "sent": self.sent,
            "late": self.late,
            "elapsed_s": self.elapsed_s,
        }


@dataclass
class _Held:
    seconds: list[Histogram] = field(default_factory=list)
    ok: list[int] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)


def level_bounds(spec: CapacitySpec, held: _Held, seed: int) -> dict[str, Bound | None]:
    level = spec.search.confidence
    out: dict[str, Bound | None] = {}
    for sli in spec.slos:
        q = percentile_of(sli)
        if q is not None:
            out[sli] = percentile_bound(held.seconds, q, level=level, seed=seed)
        else:
            totals = [o + e for o, e in zip(held.ok, held.errors, strict=True)]
            out[sli] = ratio_bound(held.errors, totals, level=level, seed=seed)
    return out


def _summary(level: Level, warmup: int) -> tuple[float, float]:
    ok = sum(level.ok[warmup:])
    merged = Histogram()
    for second in level.seconds[warmup:]:
        merged.add(second)
    span = max(len(level.seconds) - warmup, 1)
    return ok / span, merged.get_mean_value() / 1e6


def start_target(spec: CapacitySpec, group: ProcessGroup) -> str:
    """The URL to load: the stub started in `group`, or the spec's own URL."""
    stub = spec.target.stub
    if stub is None:
        return str(spec.target.url)
    argv = [sys.executable, "-m", "livefire_stubs.capacity", "--slots", str(stub.slots)]
    argv += ["--service-ms", str(stub.service_ms), "--seed", str(stub.seed)]
    argv += ["--sigma", str(stub.sigma), "--kappa", str(stub.kappa)]
    argv += ["--fixed"] if stub.fixed else []
    child = group.spawn("capacity-stub", argv)
    return f"{child.ready['url']}/work"


def search(spec: CapacitySpec, url: str, log: Any = None) -> tuple[Search, list[Step]]:
    """The whole search within the spec's budget; `log(step)` sees each step as it ends."""
    s = spec.search
    plan = Search(s.start, s.tolerance, s.max_attempts, s.max_load)
    steps: list[Step] = []
    held: dict[float, _Held] = {}
    began = time.monotonic()
    warm = round(s.warmup)
    while (load := plan.next_load()) is not None:
        if time.monotonic() - began + s.warmup + s.hold > s.budget:
            plan.out_of_time()
            break
        seed = s.seed * 1_000_003 + len(steps)
        level = asyncio.run(
            run_level(
                url,
                load,
                s.warmup + s.hold,
                seed=seed,
                max_connections=spec.generator.max_connections,
                late_s=spec.generator.late,
            )
        )
        h = held.setdefault(load, _Held())
        h.seconds += level.seconds[warm:]
        h.ok += level.ok[warm:]
        h.errors += level.errors[warm:]
        bounds = level_bounds(spec, h, seed)
        outcome = judge(bounds, spec.slos, level.behind)
        plan.record(load, outcome)
        throughput, mean = _summary(level, warm)
        attempt = len(plan.attempts[load])
        elapsed = time.monotonic() - began
        step = Step(
            load, attempt, outcome, bounds, throughput, mean, level.sent, level.late, elapsed
        )
        steps.append(step)
        if log:
            log(step)
    return plan, steps


def run(spec: CapacitySpec, run_dir: Path, log: Any = None) -> tuple[Search, list[Step]]:
    group = ProcessGroup(run_dir)
    try:
        url = start_target(spec, group)
        return search(spec, url, log)
    finally:
        group.stop_all()


def truth(spec: CapacitySpec) -> float | None:
    """The stub's exact capacity for the spec's tightest percentile SLO (M/M/c: exponential
    service, no σ/κ); None for any other target, whose truth nobody knows."""
    stub = spec.target.stub
    if stub is None or stub.fixed or stub.sigma or stub.kappa:
        return None
    from livefire_stubs.capacity_truth import crossing_rate

    mu = 1000 / stub.service_ms
    crossings = [
        crossing_rate(q, limit / 1e6, mu, stub.slots)
        for sli, limit in spec.slos.items()
        if (q := percentile_of(sli)) is not None
    ]
    return min(crossings) if crossings else None
