"""The verdict engine: a pure function of telemetry, the fault journal and the SLOs.

No data is never a pass: an SLO whose SLI measured nothing in its window fails, saying so, and
a verdict with nothing judged is no pass either. A check that a doubt can affect (the load
generator fell behind, telemetry has gaps, clocks disagree: see `verdict.doubts`) is void, and
a verdict whose only unbroken promises include void ones is INCONCLUSIVE — a green light must
never rest on missing data. A promise that broke regardless is reported broken.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from livefire.base.telemetry import ClockBounds, Second
from livefire.scenario.slos import SLI_FIELDS, PhaseSlos, Slos
from livefire.verdict.doubts import (
    CHAT_TIMED,
    STREAM_LATENCY,
    Doubt,
    Judged,
    chat_stalls,
    clock_doubts,
    gap_doubts,
    generator_doubts,
    latency_offset,
)
from livefire.verdict.reconcile import Reconciliation
from livefire.verdict.recovery import Found, recovery, window_for, windowed
from livefire.verdict.slis import SLIS, Sli, format_value


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

    @property
    def recovery_from(self) -> float:
        """Where recovery is timed from: the injection of a self-healing fault, else the revert."""
        return self.start if self.self_healing else self.end

    def recovery_horizon(self, budget: float, stable_for: float) -> float:
        """How far to look for the recovery: the budget (at least `stable_for`) and then
        `stable_for` more, so a recovery at the very edge can still show it held."""
        return self.recovery_from + max(budget, stable_for) + stable_for


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
    sli: str = ""  # the SLI it was read from ("" for the ledger's checks)
    void: str = ""  # why it cannot be trusted either way, if a doubt applies to it
    unit: str = ""  # s, ratio, count (the ledger's) or number (a probe's); "" for the SLIs

    def judged(self) -> Judged:
        recovery = self.promise.startswith("recovery:")
        return Judged(self.sli, recovery, self.passed, self.measured, self.threshold)


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
    visible: bool = True  # False: the SLI never left its SLO ("no visible effect")
    effect_from_s: float | None = None  # the fault's first excursion, from run start
    effect_to_s: float | None = None  # the end of its last excursion (None: never ended)
    window_s: int = 1  # seconds per judged window (sparse SLIs are judged over several)
    void: str = ""  # why it cannot be trusted: a worker behind, or clock bounds either way


@dataclass(frozen=True)
class Verdict:
    checks: tuple[Check, ...]
    recoveries: tuple[Recovery, ...] = ()
    inconclusive: tuple[str, ...] = ()  # the doubts that voided at least one check

    @property
    def passed(self) -> bool:
        """Every check held (void or not), and there was one to hold."""
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def broken(self) -> tuple[Check, ...]:
        """Promises broken regardless of any doubt."""
        return tuple(c for c in self.checks if not c.passed and not c.void)

    @property
    def result(self) -> str:
        """pass | fail | inconclusive. A check a doubt applies to is void: it neither passes
        nor fails, so a run whose other checks all held is inconclusive."""
        if self.broken or not self.checks:
            return "fail"
        return "inconclusive" if any(c.void for c in self.checks) else "pass"


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


Shaky = Mapping[int, str]  # second → why a worker's figures in it cannot be trusted


def shaky_for(sli: str, shaky: Shaky, chat: Shaky) -> Shaky:
    """The seconds an SLI's figures cannot be trusted in: chat timing has its own too."""
    return {**chat, **shaky} if sli in CHAT_TIMED and chat else shaky


def check_phase(
    phase: str,
    slos: PhaseSlos,
    seconds: Sequence[Second],
    shaky: Shaky | None = None,
    chat: Shaky | None = None,
) -> list[Check]:
    """Each promise over these seconds. Where a worker fell behind in some of them, the
    promise is judged again without those seconds: a verdict both agree on stands."""
    checks = []
    for name in SLI_FIELDS:
        threshold = getattr(slos, name)
        if threshold is None:
            continue
        sli = SLIS.get(name)
        own = shaky_for(name, shaky or {}, chat or {})
        doubted = [own[s.t] for s in seconds if s.t in own]
        healthy = [s for s in seconds if s.t not in own]
        measured = sli.measure(seconds)
        passed = measured is not None and sli.holds(measured, threshold)
        found = format_value(sli, measured)
        impossible = sli.impossible(seconds) if sli.impossible else None
        if impossible:  # e.g. more chat receipts than deliveries owed: nothing to trust
            passed, found = False, impossible
        if phase != "overall" and not sli.per_second:  # the loader refuses these
            passed, found = False, "a share of sessions: judged over the whole run only"
        expected = f"{sli.comparator} {format_value(sli, threshold)}"
        void = ""
        if doubted and not impossible:
            again = sli.measure(healthy)
            if again is None or sli.holds(again, threshold) != passed:
                void = doubted[0]
        checks.append(
            Check(
                name,
                phase,
                threshold,
                measured,
                passed,
                expected,
                found,
                sli.documented,
                name,
                void,
            )
        )
    return checks


def phase_checks(
    run: Sequence[Second],
    slos: Slos,
    windows: Sequence[FaultWindow],
    shaky: Shaky | None = None,
    chat: Shaky | None = None,
) -> list[Check]:
    checks = check_phase("overall", slos, run, shaky, chat)
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
            checks += check_phase(name, phase_slos, seconds, shaky, chat)
    if slos.during_faults is not None and len(windows) > 1:  # each fault on its own, too:
        for w in windows:  # a mild fault must not dilute a severe one's breach
            phase = f"during:{w.fault_id}"
            checks += check_phase(phase, slos.during_faults, during(run, [w]), shaky, chat)
    return checks


def recoveries(
    run: Sequence[Second],
    slos: Slos,
    windows: Sequence[FaultWindow],
    run_start: float,
    run_end: float,
    shift: tuple[float, float] | None = None,
    shaky: Shaky | None = None,
    chat: Shaky | None = None,
) -> list[Recovery]:
    """For each fault with a recovery budget: how long each overall per-second SLO took to
    come back from the fault's excursion (see `verdict.recovery`). A budget whose fault has no
    window gets one row with `injected=False`: a recovery that was never put to the test must
    fail, not vanish from the verdict. `shift`: the bound on (true − measured) stream latency
    from the generators' clocks; a latency recovery is timed at both ends of it too."""
    out = [
        Recovery("", fault, "", None, budget, 0.0, None, injected=False)
        for fault, budget in slos.recovery.items()
        if not any(w.fault == fault for w in windows)
    ]
    judged = [n for n in SLI_FIELDS if getattr(slos, n) is not None]
    slis = [SLIS.get(n) for n in judged if SLIS.get(n).per_second]
    values = {}
    for sli in slis:
        width = window_for(sli, run)
        values[sli.name] = (width, windowed(sli, run, width))
    for window in windows:
        budget = slos.recovery.get(window.fault)
        if budget is None:
            continue
        since = window.recovery_from
        horizon = window.recovery_horizon(budget, slos.stable_for)
        for sli in slis:
            width, series = values[sli.name]
            threshold = getattr(slos, sli.name)
            span = (window.start, since, run_end, slos.stable_for, horizon, width)
            found = recovery(series, partial(_holds, sli, threshold), *span)
            row = _row(window, sli, found, budget, since, run_start, width)
            if shift is not None and sli.name in STREAM_LATENCY:  # measured + offset ≤ SLO:
                ends = [recovery(series, partial(_holds, sli, threshold - o), *span) for o in shift]
                if len({_in_time(f, budget) for f in ends}) > 1:
                    row = replace(row, void=CLOCK_FLIPS.format(window.fault_id, sli.name))
            settled = run_end if found.seconds is None else since + found.seconds + slos.stable_for
            own = shaky_for(sli.name, shaky or {}, chat or {})
            behind = [why for t, why in own.items() if window.start - 1 < t < settled]
            if behind and not row.void:  # the generator's lateness may be what was timed
                row = replace(row, void=behind[0])
            out.append(row)
    return out


def _in_time(found: Found, budget: float) -> bool:
    return not found.visible or (found.seconds is not None and found.seconds <= budget)


def _holds(sli: Sli, threshold: float, value: float) -> bool:
    return sli.holds(value, threshold)


def _row(
    window: FaultWindow,
    sli: Sli,
    found: Found,
    budget: float,
    since: float,
    run_start: float,
    width: int,
) -> Recovery:
    def rel(t: float | None) -> float | None:
        return None if t is None else t - run_start

    return Recovery(
        window.fault_id,
        window.fault,
        sli.name,
        found.seconds,
        budget,
        since - run_start,
        None if found.seconds is None else since + found.seconds - run_start,
        visible=found.visible,
        effect_from_s=rel(found.effect_from),
        effect_to_s=rel(found.effect_to),
        window_s=width,
    )


def recovery_checks(
    found: Sequence[Recovery], slos: Slos, windows: Sequence[FaultWindow]
) -> list[Check]:
    checks = [  # a budget always yields a check, even with no per-second SLO to time it by
        Check(
            f"recovery:{w.fault}",
            f"{w.fault_id}:",
            slos.recovery[w.fault],
            None,
            False,
            f"<= {slos.recovery[w.fault]:g} s",
            "no SLO judged second by second to time it by",
        )
        for w in windows
        if w.fault in slos.recovery and not any(r.fault_id == w.fault_id for r in found)
    ]
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
        if not r.visible:
            passed, shown = True, "no visible effect"
        else:
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
                sli=r.sli,
                void=r.void,
            )
        )
    return checks


CLOCK_FLIPS = (
    "clock offset: within the generators' clock bounds, the recovery of {0} on {1} could "
    "be in time or late; sync the generators' clocks"
)


def gift_checks(slos: Slos, found: Reconciliation | None) -> list[Check]:
    """Lost, doubled and eventually-consistent gifts, each a check naming the gifts."""
    if slos.gifts is None:
        return []
    if found is None:
        return [
            Check(
                "gifts_reconciled",
                "after_run",
                1.0,
                None,
                False,
                "a ledger to check",
                "no data",
                unit="ratio",
            )
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
            unit="count",
        ),
        Check(
            "gifts_doubled",
            "after_run",
            promise.max_doubled,
            len(found.doubled),
            len(found.doubled) <= promise.max_doubled,
            f"<= {promise.max_doubled}",
            _named(found.doubled),
            unit="count",
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
            unit="ratio",
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
    measured_by: Mapping[str, frozenset[str]] | None = None,
) -> Verdict:
    """`clocks`: each worker's clock bound; `measured_by`: the histograms each worker recorded
    (whose clocks a latency figure rests on)."""
    run = seconds_between(series, run_start, run_end)
    shift = latency_offset(clocks or {}, measured_by or {})
    behind, shaky = generator_doubts(run, slos, run_start)
    chat = chat_stalls(run, run_start)
    found = recoveries(run, slos, windows, run_start, run_end, shift, shaky, chat)
    checks = phase_checks(run, slos, windows, shaky, chat) + recovery_checks(found, slos, windows)
    checks += gift_checks(slos, reconciliation)
    doubts = behind + gap_doubts(run, run_start, run_end)
    doubts += clock_doubts(run, slos, clocks or {}, measured_by or {})
    voided, used = void(checks, doubts)
    return Verdict(tuple(voided), tuple(found), tuple(used))


def void(checks: Sequence[Check], doubts: Sequence[Doubt]) -> tuple[list[Check], list[str]]:
    """Each check voided by the first doubt that applies to it; and every doubt that applies
    to some check (a doubt that touches nothing judged is no reason to distrust the run)."""
    out, used, own = [], set(), []  # own: reasons a check came with (a recovery's clock)
    for check in checks:
        applying = [d.reason for d in doubts if d.voids(check.judged())]
        used.update(applying)
        if check.void:
            own += [] if check.void in own else [check.void]
        elif applying:
            check = replace(check, void=applying[0])
        out.append(check)
    return out, [d.reason for d in doubts if d.reason in used] + own
