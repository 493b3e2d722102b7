"""Reasons not to trust a check: an overloaded generator, telemetry gaps, clocks.

Each doubt names the checks it can affect, and only those are voided: a generator that fell
behind cannot un-lose a gift, and a generator clock off by 300 ms says nothing of chat loss. A
promise that broke regardless of every doubt that applies to it is reported broken.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from livefire.base import telemetry as tm
from livefire.base.telemetry import ClockBounds, Second
from livefire.scenario.slos import Slos
from livefire.verdict.slis import SLIS, percentile, total

MAX_NAMED = 10  # per-worker overload ranges named in full; the rest are counted
EDGE_S = 2  # seconds at the start not inspected for telemetry gaps (workers start unevenly);
# the end is inspected to its last whole second: the judged run ends before Locust stops
# users, and every worker ships all it has when it stops
EARLY_SHARE = 0.01  # of live segments arriving "before they were complete": clocks disagree
STREAM_LATENCY = frozenset(n for n in SLIS if n.startswith("stream_latency_"))
CHAT_TIMED = frozenset({"chat_delivered_within_100ms"})  # chat latency: two hosts' clocks


@dataclass(frozen=True)
class Judged:
    """What a doubt needs to know of a check (the engine's Check has these fields)."""

    sli: str  # "" for checks not read from telemetry (gift reconciliation)
    recovery: bool  # a recovery time rather than an SLI's value
    passed: bool
    measured: float | None
    threshold: float


@dataclass(frozen=True)
class Doubt:
    reason: str
    voids: Callable[[Judged], bool]


def telemetry_check(check: Judged) -> bool:
    return bool(check.sli)


def passed_check(check: Judged) -> bool:
    return check.passed


def on(slis: frozenset[str]) -> Callable[[Judged], bool]:
    return lambda check: check.sli in slis


def generator_doubts(
    run: Sequence[Second], slos: Slos, run_start: float
) -> tuple[list[Doubt], dict[int, str]]:
    """A late generator offers less load than promised and stamps late. Late over the whole
    run: every figure read from telemetry, pass or fail, may be its own doing (the ledger's
    facts are not). Late in some seconds only (a worker marked them): the seconds, each with
    its reason, for the engine to judge each promise without them as well."""
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
    shaky: dict[int, str] = {}
    for n, (worker, a, b) in enumerate(unreliable(run)):
        reason = (
            f"load generator overloaded: worker {worker} fell behind from t={a - run_start:.0f}s "
            f"to t={b - run_start:.0f}s ({limits})"
        )
        if n >= MAX_NAMED:
            reason = "load generator overloaded: workers fell behind in more ranges"
        for t in range(a, b):
            shaky.setdefault(t, reason)
    return [Doubt(reason, telemetry_check) for reason in reasons], shaky


CHAT_STALL_S = 0.05  # a stall this long can push a 100 ms receipt past its promise


def chat_stalls(run: Sequence[Second], run_start: float) -> dict[int, str]:
    """Seconds in which a worker's event loop stalled longer than CHAT_STALL_S: a receipt
    read after the stall is stamped late by it, so chat's 100 ms figure in that second may be
    the generator's own (the engine judges chat timing again without them)."""
    out = {}
    for second in run:
        hist = second.histograms.get(tm.EVENT_LOOP_STALL)
        worst = 0.0 if hist is None else hist.get_max_value() / 1e6
        if worst > CHAT_STALL_S:
            out[second.t] = (
                f"load generator stalled: an event-loop stall of {worst * 1000:.0f} ms at "
                f"t={second.t - run_start:.0f}s (over {CHAT_STALL_S * 1000:.0f} ms) can make "
                "chat receipts read later than 100 ms"
            )
    return out


def gap_doubts(run: Sequence[Second], run_start: float, run_end: float) -> list[Doubt]:
    """Missing data can hide a breach but not make one: a gap voids passes only."""
    return [
        Doubt(
            f"telemetry gap: {missing} worker(s) silent from t={a - run_start:.0f}s "
            f"to t={b - run_start:.0f}s",
            passed_check,
        )
        for a, b, missing in gaps(run, run_start, run_end)
    ]


def clock_doubts(
    run: Sequence[Second],
    slos: Slos,
    clocks: Mapping[str, ClockBounds],
    measured_by: Mapping[str, frozenset[str]],
) -> list[Doubt]:
    """Stream latency subtracts the platform's timestamps from the generator's, so the true
    latency is the measured one plus (platform − generator), which lies in the workers'
    bounds. A latency check stands only if every value in those bounds gives the same
    answer; a worker that never saw a `Date` header, or whose samples contradict its bound by
    more than `max_clock_offset`, leaves its figures unchecked."""
    limit, doubts = slos.max_clock_offset, []
    latency = latency_workers(clocks, measured_by)
    unchecked = [w for w in latency if w not in clocks]
    stepped = [w for w in latency if w in clocks and clocks[w].worst > limit]
    if unchecked:
        doubts.append(
            Doubt(
                f"clock unchecked: worker(s) {', '.join(unchecked[:3])} measured stream latency "
                "but never saw a Date header, so their clock offset is unknown",
                on(STREAM_LATENCY),
            )
        )
    for worker in stepped:
        doubts.append(
            Doubt(
                f"clock unreliable: worker {worker}'s Date samples contradict each other by "
                f"{clocks[worker].worst * 1000:.0f} ms (limit {limit * 1000:.0f} ms): servers' "
                "clocks disagree, or a clock stepped",
                on(STREAM_LATENCY),
            )
        )
    bounded = {w: clocks[w] for w in latency if w in clocks}
    if bounded and not unchecked:
        lo, hi = min(c.lo for c in bounded.values()), max(c.hi for c in bounded.values())
        far = [w for w, c in bounded.items() if max(abs(c.lo), abs(c.hi)) > limit]
        named = "; ".join(_offset(w, bounded[w]) for w in (far or list(bounded))[:3])
        doubts.append(
            Doubt(
                f"clock offset: {named} (limit {limit * 1000:.0f} ms): true stream latency is "
                f"the measured one {lo * 1000:+.0f} to {hi * 1000:+.0f} ms, which could turn "
                "this latency verdict around; sync the generators' clocks",
                _could_flip(lo, hi),
            )
        )
    early, segments = total(run, tm.SEGMENTS_EARLY), total(run, tm.SEGMENTS)
    if segments and early / segments > EARLY_SHARE:
        doubts.append(
            Doubt(
                f"clock offset: {early} of {segments} segments reached viewers before their "
                "EXT-X-PROGRAM-DATE-TIME + duration (generator clock behind, or wrong PDT)",
                on(STREAM_LATENCY),
            )
        )
    doubts += chat_clock_doubts(slos, clocks, measured_by)
    return doubts


def latency_workers(
    clocks: Mapping[str, ClockBounds], measured_by: Mapping[str, frozenset[str]]
) -> list[str]:
    """The workers whose clocks stream latency rests on (all with a clock, if unknown)."""
    if not measured_by:
        return list(clocks)
    return [w for w, metrics in measured_by.items() if tm.STREAM_LATENCY in metrics]


def latency_offset(
    clocks: Mapping[str, ClockBounds], measured_by: Mapping[str, frozenset[str]]
) -> tuple[float, float] | None:
    """(lo, hi): true stream latency is the measured one plus a value in this range; None
    when no latency worker has a bound, or one has none (then latency is void anyway)."""
    workers = latency_workers(clocks, measured_by)
    if not workers or any(w not in clocks for w in workers):
        return None
    return min(clocks[w].lo for w in workers), max(clocks[w].hi for w in workers)


def _offset(worker: str, c: ClockBounds) -> str:
    side = "behind" if c.offset >= 0 else "ahead of"
    figure = f"{abs(c.offset) * 1000:.0f} ± {c.uncertainty * 1000:.0f} ms"
    return f"worker {worker}'s clock is {figure} {side} the platform's"


def _could_flip(lo: float, hi: float) -> Callable[[Judged], bool]:
    """A latency check's answer at both ends of the offset bound (a recovery is timed at
    both ends by the engine, which voids it there)."""

    def voids(check: Judged) -> bool:
        if check.sli not in STREAM_LATENCY or check.recovery or check.measured is None:
            return False
        if check.passed:  # true latency = measured + offset: at worst measured + hi
            return check.measured + hi > check.threshold
        return check.measured + lo <= check.threshold

    return voids


def host_of(worker: str) -> str:
    """Locust names a worker HOSTNAME_UUID: workers of one host share its clock."""
    return worker.rsplit("_", 1)[0]


def chat_clock_doubts(
    slos: Slos, clocks: Mapping[str, ClockBounds], measured_by: Mapping[str, frozenset[str]]
) -> list[Doubt]:
    """A receipt's latency subtracts the sender's clock from the receiver's: across hosts it
    stands only if their clocks are known to agree within `max_clock_offset`."""
    hosts: dict[str, list[ClockBounds | None]] = {}
    for worker, metrics in measured_by.items():
        if tm.CHAT_LATENCY in metrics:
            hosts.setdefault(host_of(worker), []).append(clocks.get(worker))
    if len(hosts) < 2:
        return []
    known = {h: [c for c in cs if c is not None] for h, cs in hosts.items()}
    unknown = sorted(h for h, cs in known.items() if not cs)
    if unknown:
        reason = (
            f"chat clocks unchecked: chatters on {len(hosts)} hosts, and {', '.join(unknown)} "
            "saw no Date header, so their clocks cannot be compared"
        )
        return [Doubt(reason, on(CHAT_TIMED))]
    lo = {h: max(c.lo for c in cs) for h, cs in known.items()}  # one host, one clock
    hi = {h: min(c.hi for c in cs) for h, cs in known.items()}
    apart = max(hi[a] - lo[b] for a in hosts for b in hosts if a != b)
    if apart <= slos.max_clock_offset:
        return []
    reason = (
        f"chat clocks: chatters on {len(hosts)} hosts whose clocks may differ by up to "
        f"{apart * 1000:.0f} ms (limit {slos.max_clock_offset * 1000:.0f} ms)"
    )
    return [Doubt(reason, on(CHAT_TIMED))]


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
    for t in range(int(run_start) + EDGE_S, math.floor(run_end)):
        missing = expected - beats.get(t, 0)
        if missing <= 0:
            continue
        if out and out[-1][1] == t and out[-1][2] == missing:
            out[-1] = (out[-1][0], t + 1, missing)
        else:
            out.append((t, t + 1, missing))
    return out
