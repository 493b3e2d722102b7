"""Probe verdicts, pure: no data never holds, phases, steady state before and after, guards,
recovery timed on the per-second series, and the sampler's schedule (an injected reader)."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from livefire.base import probe_samples as ps
from livefire.base.probe_samples import ProbeSample
from livefire.probes.sampler import Sampler
from livefire.scenario.probes import ProbeCondition, ProbeGuard, ProbeSpec
from livefire.scenario.slos import PhaseSlos, Slos
from livefire.verdict.engine import Check, FaultWindow, Verdict
from livefire.verdict.probe_checks import NO_SLO, with_probes
from livefire.verdict.probes import ProbeReadings, breached, judge

T0 = 1_000_000.0


def reading(t: float, value: float | None, error: str = "", tag: str = "") -> ProbeSample:
    return ProbeSample("errors", T0 + t, value, error if value is None else "", 0.01, tag)


def readings(values: list[tuple[float, float | None]], **extra: object) -> ProbeReadings:
    samples = tuple(reading(t, v, "unreachable") for t, v in values)
    return ProbeReadings(samples, {"errors": 2.0}, {"errors": "number"}, **extra)  # type: ignore[arg-type]


AT_MOST_1 = ProbeCondition(probe="errors", max=1.0)


def test_every_reading_must_hold_and_the_worst_is_shown() -> None:
    found = judge(AT_MOST_1, [reading(0, 0.2), reading(2, 0.9)], "number")
    assert found.passed and found.measured == 0.9
    found = judge(AT_MOST_1, [reading(0, 0.2), reading(2, 3.0), reading(4, 0.1)], "number")
    assert not found.passed and found.measured == 3.0 and found.found == "3"


def test_a_reading_without_a_value_is_no_data_and_never_passes() -> None:
    found = judge(AT_MOST_1, [reading(0, 0.2), reading(2, None, "HTTP 503 (expected 200)")], "")
    assert not found.passed and found.measured is None
    assert found.found == "no data in 1 of 2: HTTP 503 (expected 200)"
    nothing = judge(AT_MOST_1, [], "number")
    assert not nothing.passed and nothing.found.startswith("no data")


def window(start: float, end: float, fault_id: str = "f0") -> FaultWindow:
    return FaultWindow(fault_id, "edge-latency", "edge-apac", T0 + start, T0 + end)


def test_probe_slos_are_judged_in_every_phase_over_their_own_readings() -> None:
    during_bad = readings([(t, 5.0 if 10 <= t < 20 else 0.1) for t in range(0, 40, 2)])
    slos = Slos(
        probes=(AT_MOST_1,),
        before_faults=PhaseSlos(probes=(AT_MOST_1,)),
        during_faults=PhaseSlos(probes=(AT_MOST_1,)),
        after_faults=PhaseSlos(probes=(AT_MOST_1,)),
    )
    verdict = with_probes(Verdict(()), slos, [window(10, 20)], T0, T0 + 40, during_bad)
    by_phase = {c.phase: c for c in verdict.checks}
    assert by_phase["before_faults"].passed and by_phase["after_faults"].passed
    assert not by_phase["during_faults"].passed and by_phase["during_faults"].measured == 5.0
    assert not by_phase["overall"].passed
    assert {c.promise for c in verdict.checks} == {"probe:errors"}
    assert verdict.result == "fail"


def test_a_phase_without_a_reading_fails() -> None:
    slos = Slos(probes=(AT_MOST_1,), during_faults=PhaseSlos(probes=(AT_MOST_1,)))
    sparse = readings([(0, 0.1), (30, 0.1)])
    verdict = with_probes(Verdict(()), slos, [window(10, 12)], T0, T0 + 40, sparse)
    during = next(c for c in verdict.checks if c.phase == "during_faults")
    assert not during.passed and during.found == "no data (no reading in this window)"


def test_steady_state_before_uses_the_conductors_reading_and_after_the_last_one() -> None:
    samples = (
        reading(9.5, 0.2, tag=ps.STEADY_STATE),
        reading(12, 4.0),  # during the fault: not the hypothesis
        reading(22, 0.3),
        reading(24, 2.0),  # the last reading after the revert decides
    )
    probed = ProbeReadings(samples, {"errors": 2.0}, {}, (AT_MOST_1,))
    verdict = with_probes(Verdict(()), Slos(), [window(10, 20)], T0, T0 + 30, probed)
    by_phase = {c.phase: c for c in verdict.checks}
    assert by_phase["steady_state:before"].passed
    assert not by_phase["steady_state:after"].passed
    assert by_phase["steady_state:after"].measured == 2.0


def test_a_steady_state_never_checked_fails() -> None:
    probed = ProbeReadings((reading(1, 0.1),), {}, {}, (AT_MOST_1,))
    verdict = with_probes(Verdict(()), Slos(), [], T0, T0 + 30, probed)
    (check,) = verdict.checks
    assert check.phase == "steady_state:before" and not check.passed
    assert "never checked" in check.found


def test_recovery_is_timed_on_the_probe_and_replaces_the_no_slo_check() -> None:
    values = [(t, 9.0 if 10 <= t < 26 else 0.1) for t in range(0, 60, 2)]
    slos = Slos(probes=(AT_MOST_1,), recovery={"edge-latency": 10.0}, stable_for=6.0)
    before = Verdict(
        (  # what the engine says with no user-side SLI to time the recovery by
            Check("recovery:edge-latency", "f0:", 10.0, None, False, "<= 10 s", NO_SLO),
        )
    )
    verdict = with_probes(before, slos, [window(10, 20)], T0, T0 + 60, readings(values))
    (row,) = verdict.recoveries
    assert row.sli == "probe:errors" and row.visible
    assert row.seconds == pytest.approx(6.0, abs=1.0)  # back at ~26 s, reverted at 20 s
    recovery = [c for c in verdict.checks if c.promise == "recovery:edge-latency"]
    assert len(recovery) == 1 and recovery[0].passed and recovery[0].phase == "f0:probe:errors"


def test_a_probe_that_stops_answering_never_looks_recovered() -> None:
    values: list[tuple[float, float | None]] = [(t, 0.1) for t in range(0, 10, 2)]
    values += [(t, None) for t in range(10, 60, 2)]
    slos = Slos(probes=(AT_MOST_1,), recovery={"edge-latency": 10.0})
    verdict = with_probes(Verdict(()), slos, [window(10, 20)], T0, T0 + 60, readings(values))
    (row,) = verdict.recoveries
    assert row.seconds is None and row.visible
    assert not next(c for c in verdict.checks if c.promise.startswith("recovery")).passed


def test_per_second_series_holds_a_reading_for_its_interval_then_is_no_data() -> None:
    samples = [reading(0, 1.0), reading(2, None, "timeout"), reading(4, 3.0)]
    series = ps.per_second(samples, T0, T0 + 12, every=2.0)
    assert series[int(T0)] == 1.0 and series[int(T0) + 1] == 1.0
    assert series[int(T0) + 2] is None and series[int(T0) + 3] is None  # the error's interval
    assert series[int(T0) + 4] == 3.0 and series[int(T0) + 6] == 3.0  # interval + 1 s slack
    assert series[int(T0) + 7] is None  # stale: nothing read for more than its interval


GUARD = ProbeGuard(probe="errors", max=1.0, for_=4.0)


def test_a_guard_trips_once_failing_readings_span_its_for() -> None:
    samples = [reading(0, 0.1), reading(2, 5.0), reading(4, 6.0)]
    assert breached(GUARD, samples, T0 + 5) is None  # failing for 3 s only
    reason = breached(GUARD, samples, T0 + 6.5)
    assert reason is not None and "guard probe errors outside <= 1" in reason
    assert "last measured 6" in reason


def test_a_guard_counts_no_data_as_failing_and_a_good_reading_resets_it() -> None:
    samples = [reading(0, None, "unreachable"), reading(2, None, "unreachable")]
    reason = breached(GUARD, samples, T0 + 4)
    assert reason is not None and "no data: unreachable" in reason
    assert breached(GUARD, [*samples, reading(3, 0.5)], T0 + 10) is None
    assert breached(GUARD, [], T0 + 100) is None  # never before a reading


def test_the_sampler_reads_each_probe_on_its_schedule(tmp_path: Path) -> None:
    calls: list[float] = []

    def fake(name: str, spec: ProbeSpec, tag: str) -> ProbeSample:
        calls.append(time.monotonic())
        return ProbeSample(name, time.time(), 1.0, tag=tag)

    spec = ProbeSpec.model_validate({"command": {"argv": ["true"]}, "every": 0.5})
    sampler = Sampler({"p": spec}, tmp_path / "telemetry" / "probes.jsonl", fake)
    sampler.start()
    time.sleep(1.6)
    sampler.read_now("p", ps.STEADY_STATE)
    sampler.stop()
    assert len(calls) in (5, 6)  # at 0, 0.5, 1.0, 1.5 s and the steady-state reading
    gaps = [b - a for a, b in itertools.pairwise(calls[:4])]
    assert all(abs(g - 0.5) < 0.15 for g in gaps), gaps
    on_disk = ps.read(tmp_path / "telemetry" / "probes.jsonl")
    assert on_disk == sampler.samples()
    assert [s.tag for s in on_disk].count(ps.STEADY_STATE) == 1


def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "probes.jsonl"
    ps.append(path, reading(0, 1.0))
    with path.open("a") as out:
        out.write('{"probe": "errors", "t": 1')
    assert ps.read(path) == [reading(0, 1.0)]


def test_the_hypothesis_before_the_first_fault_reads_each_probe_once_and_names_failures(
    tmp_path: Path,
) -> None:
    from livefire.probes import hypothesis

    reads: list[str] = []
    values = {"regions": 3.0, "lag": None}

    def fake(name: str, spec: ProbeSpec, tag: str) -> ProbeSample:
        reads.append(name)
        value = values[name]
        return ProbeSample(name, time.time(), value, "" if value is not None else "timeout", 0, tag)

    spec = ProbeSpec.model_validate({"command": {"argv": ["true"]}})
    sampler = Sampler({"regions": spec, "lag": spec}, tmp_path / "probes.jsonl", fake)
    conditions = (
        ProbeCondition(probe="regions", min=4),
        ProbeCondition(probe="regions", max=10),
        ProbeCondition(probe="lag", max=1),
    )
    why = hypothesis.before(sampler, conditions, {"regions": spec, "lag": spec})
    assert reads == ["regions", "lag"]
    assert why.startswith("steady state does not hold before the first fault")
    assert "probe regions measured 3 (expected >= 4)" in why
    assert "probe lag measured no data in 1 of 1: timeout (expected <= 1)" in why
    assert "expected <= 10" not in why  # the condition that held is not named
    assert all(s.tag == ps.STEADY_STATE for s in sampler.samples())
    values["regions"], values["lag"] = 5.0, 0.5
    assert hypothesis.before(sampler, conditions, {"regions": spec, "lag": spec}) == ""


def test_the_sampler_says_when_a_probe_stops_and_starts_answering(tmp_path: Path) -> None:
    answers = iter([1.0, None, None, 2.0])

    def fake(name: str, spec: ProbeSpec, tag: str) -> ProbeSample:
        value = next(answers)
        return ProbeSample(name, time.time(), value, "" if value is not None else "refused")

    spec = ProbeSpec.model_validate({"command": {"argv": ["true"]}})
    sampler = Sampler({"p": spec}, tmp_path / "probes.jsonl", fake)
    sampler.read_now("p")
    assert sampler.news() == []  # answering, as expected
    sampler.read_now("p")
    sampler.read_now("p")
    assert sampler.news() == ["probe p: no data: refused"]  # once per change
    sampler.read_now("p")
    assert sampler.news() == ["probe p: answering again"]
