"""The verdict engine: a pure function of telemetry, the fault journal and the SLOs.

No data is never a pass: an SLO whose SLI measured nothing in its window fails, saying so.
A verdict is INCONCLUSIVE instead of PASS when the load generator fell behind its own
schedule or telemetry has gaps — a green light must never rest on missing data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from livefire.base import telemetry as tm
from livefire.base.telemetry import ClockBounds, Second
from livefire.scenario.slos import PhaseSlos, Slos
from livefire.verdict.reconcile import Reconciliation
from livefire.verdict.recovery import per_second, recovery_time
from livefire.verdict.slis import SLIS, Sli, format_value, percentile, total

MAX_NAMED = 10  # per-worker overload ranges named in full; the rest are counted
EDGE_S = 2  # seconds at each end of the run not inspected for telemetry gaps (start/stop skew)


@dataclass(frozen=True)
class FaultWindow:
    fault_id: str
    fault: str
    target: str
    start: float  # epoch of injection
    end: float  # epoch of revert (the run's end if never reverted)
    self_healing: bool = False  # recovery counts from injection instead of revert
    effect_end: float | None = None  # self-healing: the end of what is judged as "during"

    @property
    def judged_end(self) -> float:
        """Where `during_faults` ends and `after_faults` begins. A kill is over in an instant
        but its effect is not: it is judged as in effect until its recovery budget has passed."""
        return self.end if self.effect_end is None else max(self.end, self.effect_end)


@dataclass(frozen=True)
class Check:
    promise: str  # the SLO's name, e.g. stream_latency_p95, or recovery:FAULT
    phase: str  # overall, before/during/after_faults, during:FAULT_ID, FAULT_ID:SLI, after_run
    threshold: float
    measured: float | None
    passed: bool
    expected: str  # human form, e.g. "<= 250 ms"
    found: str  # human form, e.g. "312 ms" or "no data"
    documented: str = ""


@dataclass(frozen=True)
class Recovery:
    fault_id: str
    fault: str
    sli: str
    seconds: float | None  # None: never recovered within the run
    budget_s: float
    since_s: float  # the reference instant, seconds from run start
    recovered_at_s: float | None
    injected: bool = True  # False: the budgeted fault never happened, so nothing recovered


@dataclass(frozen=True)
class Verdict:
    checks: tuple[Check, ...]
    recoveries: tuple[Recovery, ...] = ()
    inconclusive: tuple[str, ...] = ()  # why no verdict can be trusted, if anything

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def broken(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    @property
    def result(self) -> str:
        """pass | fail | inconclusive. An overloaded generator voids even a failure (it may be
        the generator's own lateness); gaps void only a pass."""
        overloaded = any(reason.startswith("load generator") for reason in self.inconclusive)
        if overloaded or (self.inconclusive and self.passed):
            return "inconclusive"
        return "pass" if self.passed else "fail"


def with_effects(windows: Sequence[FaultWindow], slos: Slos, run_end: float) -> list[FaultWindow]:
    """Give each self-healing fault the span it is judged over: its recovery budget if the
    scenario sets one, else `stable_for` (never past the end of the run)."""
    return [
        replace(w, effect_end=min(run_end, w.start + slos.recovery.get(w.fault, slos.stable_for)))
        if w.self_healing
        else w
        for w in windows
    ]


def seconds_between(series: Sequence[Second], start: float, end: float) -> list[Second]:
    """Seconds [t, t+1) that overlap [start, end)."""
    return [s for s in series if s.t + 1 > start and s.t < end]


def during(series: Sequence[Second], windows: Sequence[FaultWindow]) -> list[Second]:
    return [s for s in series if any(s.t + 1 > w.start and s.t < w.judged_end for w in windows)]


def check_phase(phase: str, slos: PhaseSlos, seconds: Sequence[Second]) -> list[Check]:
    checks = []
    for name in PhaseSlos.model_fields:
        threshold = getattr(slos, name)
        if threshold is None:
            continue
        sli = SLIS.get(name)
        measured = sli.measure(seconds)
        passed = measured is not None and sli.holds(measured, threshold)
        checks.append(
            Check(
                name,
                phase,
                threshold,
                measured,
                passed,
                f"{sli.comparator} {format_value(sli, threshold)}",
                format_value(sli, measured),
                sli.documented,
            )
        )
    return checks


def phase_checks(run: Sequence[Second], slos: Slos, windows: Sequence[FaultWindow]) -> list[Check]:
    checks = check_phase("overall", slos, run)
    first = min((w.start for w in windows), default=None)
    last = max((w.judged_end for w in windows), default=None)
    phases = (
        (
            "before_faults",
            slos.before_faults,
            [s for s in run if first is None or s.t + 1 <= first],
        ),
        ("during_faults", slos.during_faults, during(run, windows)),
        ("after_faults", slos.after_faults, [s for s in run if last is not None and s.t >= last]),
    )
    for name, phase_slos, seconds in phases:
        if phase_slos is not None:
            checks += check_phase(name, phase_slos, seconds)
    if slos.during_faults is not None and len(windows) > 1:  # each fault on its own, too:
        for w in windows:  # a mild fault must not dilute a severe one's breach
            checks += check_phase(f"during:{w.fault_id}", slos.during_faults, during(run, [w]))
    return checks


def recoveries(
    run: Sequence[Second],
    slos: Slos,
    windows: Sequence[FaultWindow],
    run_start: float,
    run_end: float,
) -> list[Recovery]:
    """For each fault with a recovery budget: how long each overall SLO took to hold again.
    A budget whose fault has no window gets one row with `injected=False`: a recovery that
    was never put to the test must fail, not vanish from the verdict."""
    out = [
        Recovery("", fault, "", None, budget, 0.0, None, injected=False)
        for fault, budget in slos.recovery.items()
        if not any(w.fault == fault for w in windows)
    ]
    for window in windows:
        budget = slos.recovery.get(window.fault)
        if budget is None:
            continue
        since = window.start if window.self_healing else window.end
        for name in PhaseSlos.model_fields:
            threshold = getattr(slos, name)
            if threshold is None:
                continue
            sli = SLIS.get(name)
            if not sli.per_second:
                continue
            seconds = recovery_time(
                per_second(sli, run),
                partial(_holds, sli, threshold),
                since,
                run_end,
                slos.stable_for,
            )
            out.append(
                Recovery(
                    window.fault_id,
                    window.fault,
                    name,
                    seconds,
                    budget,
                    since - run_start,
                    None if seconds is None else since + seconds - run_start,
                )
            )
    return out


def _holds(sli: Sli, threshold: float, value: float) -> bool:
    return sli.holds(value, threshold)


def recovery_checks(found: Sequence[Recovery]) -> list[Check]:
    checks = []
    for r in found:
        if not r.injected:
            checks.append(
                Check(
                    f"recovery:{r.fault}",
                    "never_injected",
                    r.budget_s,
                    None,
                    False,
                    f"<= {r.budget_s:g} s",
                    "fault never injected",
                )
            )
            continue
        passed = r.seconds is not None and r.seconds <= r.budget_s
        shown = "never" if r.seconds is None else f"{r.seconds:.0f} s"
        checks.append(
            Check(
                f"recovery:{r.fault}",
                f"{r.fault_id}:{r.sli}",
                r.budget_s,
                r.seconds,
                passed,
                f"<= {r.budget_s:g} s",
                shown,
            )
        )
    return checks


def trust_issues(run: Sequence[Second], slos: Slos, run_start: float, run_end: float) -> list[str]:
    """Why the measurements might not be trustworthy: generator lateness, telemetry gaps."""
    reasons = []
    lag = percentile(tm.SCHEDULE_LAG, 99)(run)
    if lag is not None and lag > slos.max_schedule_lag_p99:
        reasons.append(
            f"load generator overloaded: schedule lag p99 {lag * 1000:.0f} ms > "
            f"{slos.max_schedule_lag_p99 * 1000:.0f} ms"
        )
    limits = (
        f"its schedule lag p99 over {slos.max_schedule_lag_p99 * 1000:.0f} ms or an event-loop "
        f"stall over {slos.max_event_loop_stall * 1000:.0f} ms"
    )
    behind = [
        f"load generator overloaded: worker {worker} fell behind from t={a - run_start:.0f}s "
        f"to t={b - run_start:.0f}s ({limits})"
        for worker, a, b in unreliable(run)
    ]
    if len(behind) > MAX_NAMED:
        more = len(behind) - MAX_NAMED
        behind = [*behind[:MAX_NAMED], f"load generator overloaded: {more} more worker ranges"]
    reasons += behind
    reasons += [
        f"telemetry gap: {missing} worker(s) silent from t={a - run_start:.0f}s "
        f"to t={b - run_start:.0f}s"
        for a, b, missing in gaps(run, run_start, run_end)
    ]
    return reasons


EARLY_SHARE = 0.01  # of live segments arriving "before they were complete": clocks disagree


def clock_issues(run: Sequence[Second], slos: Slos, clocks: Mapping[str, ClockBounds]) -> list[str]:
    """Stream latency subtracts the platform's timestamps from the generator's: a generator
    clock provably off (its whole bound outside ±max_clock_offset), or segments that arrive
    before the platform says they were complete, void the latency figures."""
    limit, reasons = slos.max_clock_offset, []
    for worker, c in clocks.items():
        figure = f"{abs(c.offset) * 1000:.0f} ± {c.uncertainty * 1000:.0f} ms"
        if c.lo > limit:  # the platform's clock is ahead: latency reads low, a pass is void
            reasons.append(
                f"clock offset: worker {worker}'s clock is {figure} behind the platform's "
                f"(limit {limit * 1000:.0f} ms), so stream latency reads low; sync its clock"
            )
        elif c.hi < -limit:  # ours is ahead: latency reads high, a failure is void too
            reasons.append(
                f"load generator clock ahead: worker {worker}'s clock is {figure} ahead of the "
                f"platform's (limit {limit * 1000:.0f} ms), so stream latency reads high"
            )
    early, segments = total(run, tm.SEGMENTS_EARLY), total(run, tm.SEGMENTS)
    if segments and early / segments > EARLY_SHARE:
        reasons.append(
            f"clock offset: {early} of {segments} segments reached viewers before their "
            "EXT-X-PROGRAM-DATE-TIME + duration (generator clock behind, or wrong PDT)"
        )
    return reasons


def unreliable(run: Sequence[Second]) -> list[tuple[str, int, int]]:
    """(worker, first, end) ranges of seconds each worker marked itself behind, by worker."""
    marked: dict[str, list[int]] = {}
    for second in run:
        for name, n in second.counters.items():
            if name.startswith(tm.WORKER_UNRELIABLE) and n > 0:
                marked.setdefault(name[len(tm.WORKER_UNRELIABLE) :], []).append(second.t)
    out: list[tuple[str, int, int]] = []
    for worker in sorted(marked):
        for t in sorted(marked[worker]):
            if out and out[-1][0] == worker and out[-1][2] == t:
                out[-1] = (worker, out[-1][1], t + 1)
            else:
                out.append((worker, t, t + 1))
    return out


def gaps(run: Sequence[Second], run_start: float, run_end: float) -> list[tuple[int, int, int]]:
    """Ranges of seconds in which fewer workers reported than the most that ever did."""
    beats = {s.t: s.counters.get(tm.HEARTBEAT, 0) for s in run}
    expected = max(beats.values(), default=0)
    out: list[tuple[int, int, int]] = []
    for t in range(int(run_start) + EDGE_S, int(run_end) - EDGE_S):
        missing = expected - beats.get(t, 0)
        if missing <= 0:
            continue
        if out and out[-1][1] == t and out[-1][2] == missing:
            out[-1] = (out[-1][0], t + 1, missing)
        else:
            out.append((t, t + 1, missing))
    return out


def gift_checks(slos: Slos, found: Reconciliation | None) -> list[Check]:
    """Lost, doubled and eventually-consistent gifts, each a check naming the gifts."""
    if slos.gifts is None:
        return []
    if found is None:
        return [
            Check("gifts_reconciled", "after_run", 1.0, None, False, "a ledger to check", "no data")
        ]
    promise, ratio = slos.gifts, found.consistent_ratio
    return [
        Check(
            "gifts_lost",
            "after_run",
            promise.max_lost,
            len(found.lost),
            len(found.lost) <= promise.max_lost,
            f"<= {promise.max_lost}",
            _named(found.lost),
        ),
        Check(
            "gifts_doubled",
            "after_run",
            promise.max_doubled,
            len(found.doubled),
            len(found.doubled) <= promise.max_doubled,
            f"<= {promise.max_doubled}",
            _named(found.doubled),
        ),
        Check(
            "gift_eventual_consistency",
            "after_run",
            promise.eventual_consistency,
            ratio,
            ratio is not None and ratio >= promise.eventual_consistency,
            f">= {promise.eventual_consistency * 100:g}% within {promise.deadline:g} s",
            "no data" if ratio is None else f"{ratio * 100:.3f}% of {found.acked}",
            "99.98% eventual consistency",
        ),
    ]


def _named(keys: Sequence[str]) -> str:
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    return f"{len(keys)}" + (f" ({shown})" if keys else "")


def evaluate(
    series: Sequence[Second],
    slos: Slos,
    run_start: float,
    run_end: float,
    windows: Sequence[FaultWindow],
    reconciliation: Reconciliation | None = None,
    clocks: Mapping[str, ClockBounds] | None = None,
) -> Verdict:
    run = seconds_between(series, run_start, run_end)
    found = recoveries(run, slos, windows, run_start, run_end)
    checks = phase_checks(run, slos, windows) + recovery_checks(found)
    checks += gift_checks(slos, reconciliation)
    doubts = trust_issues(run, slos, run_start, run_end) + clock_issues(run, slos, clocks or {})
    return Verdict(tuple(checks), tuple(found), tuple(doubts))
