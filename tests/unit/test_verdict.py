"""The verdict engine on synthetic telemetry of known truth."""

from livefire.base import telemetry as tm
from livefire.scenario.schema import PhaseSlos, Slos
from livefire.verdict.engine import FaultWindow, evaluate

T0 = 1_000


def series(latency_of: dict[range, float], errors_at: range = range(0)) -> list[tm.Second]:
    out = []
    for t in range(T0, T0 + 60):
        second = tm.Second(t)
        latency = next((v for r, v in latency_of.items() if t - T0 in r), 0.05)
        for _ in range(50):
            second.observe(tm.STREAM_LATENCY, latency)
        second.count(tm.REQUESTS, 100)
        if t - T0 in errors_at:
            second.count(tm.REQUEST_ERRORS, 50)
        out.append(second)
    return out


FAULT = [FaultWindow("f0", "edge-latency", "edge-apac", T0 + 20, T0 + 35)]


def test_fault_window_latency_passes_overall_and_fails_during_when_too_high() -> None:
    slos = Slos(stream_latency_p95=0.5, during_faults=PhaseSlos(stream_latency_p95=0.2))
    verdict = evaluate(series({range(20, 35): 0.35}), slos, T0, T0 + 60, FAULT)
    by = {(c.promise, c.phase): c for c in verdict.checks}
    assert by[("stream_latency_p95", "overall")].passed
    assert not by[("stream_latency_p95", "during_faults")].passed
    assert abs(by[("stream_latency_p95", "during_faults")].measured - 0.35) < 0.35 * 0.01
    assert not verdict.passed and [c.phase for c in verdict.broken] == ["during_faults"]


def test_error_rate_counts_errors_over_requests() -> None:
    slos = Slos(viewer_error_rate=0.01)
    verdict = evaluate(series({}, errors_at=range(10, 12)), slos, T0, T0 + 60, [])
    check = verdict.checks[0]
    assert abs(check.measured - 100 / 6000) < 1e-9 and not check.passed


def test_no_data_never_passes() -> None:
    verdict = evaluate([], Slos(stream_latency_p95=1.0), T0, T0 + 60, [])
    assert not verdict.passed and verdict.checks[0].found == "no data"


def test_gift_reconciliation_checks_name_lost_and_doubled_gifts() -> None:
    from livefire.scenario.schema import GiftSlos
    from livefire.verdict.reconcile import reconcile

    journal = [{"kind": "gift", "state": "acked", "key": f"k{i}", "acked": 1.0} for i in range(4)]
    ledger = [{"idempotency_key": k, "applied_at": 2.0} for k in ("k0", "k1", "k1", "k3")]
    slos = Slos(gifts=GiftSlos())
    verdict = evaluate(series({}), slos, T0, T0 + 60, [], reconcile(journal, ledger, 30))
    by = {c.promise: c for c in verdict.checks}
    assert not by["gifts_lost"].passed and "k2" in by["gifts_lost"].found
    assert not by["gifts_doubled"].passed and "k1" in by["gifts_doubled"].found
    assert not by["gift_eventual_consistency"].passed
    assert by["gift_eventual_consistency"].measured == 0.5
    units = {name: check.unit for name, check in by.items()}  # counts of gifts, not seconds
    assert units == {"gifts_lost": "count", "gifts_doubled": "count"} | {
        "gift_eventual_consistency": "ratio"
    }


def test_gift_promise_without_a_ledger_is_no_data() -> None:
    from livefire.scenario.schema import GiftSlos

    verdict = evaluate(series({}), Slos(gifts=GiftSlos()), T0, T0 + 60, [], None)
    assert [c.found for c in verdict.checks] == ["no data"] and not verdict.passed


def test_a_silent_worker_is_a_gap_with_its_time_range_and_voids_a_pass() -> None:
    run = series({})
    for second in run:
        beats = 1 if 30 <= second.t - T0 < 40 else 2  # one of two workers silent 30..40
        second.count(tm.HEARTBEAT, beats)
    verdict = evaluate(run, Slos(viewer_error_rate=0.5), T0, T0 + 60, [])
    assert verdict.passed and verdict.result == "inconclusive"
    assert verdict.inconclusive == ("telemetry gap: 1 worker(s) silent from t=30s to t=40s",)


def test_an_overloaded_generator_voids_even_a_failure() -> None:
    run = series({range(0, 60): 1.0})
    for second in run:
        second.observe(tm.SCHEDULE_LAG, 0.2)
    verdict = evaluate(run, Slos(stream_latency_p95=0.25), T0, T0 + 60, [])
    assert not verdict.passed and verdict.result == "inconclusive"
    assert verdict.inconclusive[0].startswith("load generator overloaded")


def test_a_kill_is_judged_as_in_effect_until_its_recovery_budget_has_passed() -> None:
    from livefire.verdict.engine import with_effects

    kill = FaultWindow("f0", "transcoder-node-kill", "transcoder-0", T0 + 20, T0 + 20.05, True)
    slos = Slos(
        during_faults=PhaseSlos(stream_latency_p95=1.0),
        recovery={"transcoder-node-kill": 15.0},
    )
    windows = with_effects([kill], slos, T0 + 60)
    assert windows[0].judged_end == T0 + 35
    # 5 s latency for 14 s after the kill: a 50 ms window would see one second of it
    verdict = evaluate(series({range(21, 35): 5.0}), slos, T0, T0 + 60, windows)
    [during] = [c for c in verdict.checks if c.phase == "during_faults"]
    assert not during.passed and during.measured > 4.9


def test_without_a_budget_a_kill_is_judged_for_stable_for() -> None:
    from livefire.verdict.engine import with_effects

    kill = FaultWindow("f0", "chat-node-kill", "chat-0", T0 + 20, T0 + 20.05, True)
    sustained = FaultWindow("f1", "edge-latency", "edge-apac", T0 + 30, T0 + 40)
    windows = with_effects([kill, sustained], Slos(stable_for=8.0), T0 + 60)
    assert windows[0].judged_end == T0 + 28 and windows[1].judged_end == T0 + 40


def test_each_worker_that_fell_behind_is_named_with_its_time_range() -> None:
    from livefire.verdict.doubts import generator_doubts

    run = series({})
    for second in run:
        second.observe(tm.SCHEDULE_LAG, 0.001)  # merged over the whole run: healthy
        if 10 <= second.t - T0 < 13:
            second.count(tm.WORKER_UNRELIABLE + "host-a_1")
        if second.t - T0 in (40, 50, 51):
            second.count(tm.WORKER_UNRELIABLE + "host-b_2")
    whole_run, shaky = generator_doubts(run, Slos(), T0)
    assert whole_run == []
    ranges = sorted({r.split(" (")[0] for r in shaky.values()})
    assert ranges == [
        "load generator overloaded: worker host-a_1 fell behind from t=10s to t=13s",
        "load generator overloaded: worker host-b_2 fell behind from t=40s to t=41s",
        "load generator overloaded: worker host-b_2 fell behind from t=50s to t=52s",
    ]
    assert sorted(t - T0 for t in shaky) == [10, 11, 12, 40, 50, 51]
    assert "lag p99 over 50 ms or an event-loop stall over 250 ms" in shaky[T0 + 10]


def test_a_breach_only_in_seconds_a_worker_fell_behind_is_void() -> None:
    run = series({}, errors_at=range(10, 13))  # 150 errors in 6000: 2.5% > 1%
    for second in run[10:13]:
        second.count(tm.WORKER_UNRELIABLE + "host-a_1")
    verdict = evaluate(run, Slos(viewer_error_rate=0.01), T0, T0 + 60, [])
    assert verdict.result == "inconclusive" and verdict.broken == ()
    assert "host-a_1 fell behind from t=10s to t=13s" in verdict.checks[0].void


def test_a_breach_that_stands_without_the_seconds_a_worker_fell_behind_is_a_failure() -> None:
    run = series({}, errors_at=range(20, 40))
    for second in run[4:5]:  # a hiccup while users spawn
        second.count(tm.WORKER_UNRELIABLE + "host-a_1")
    verdict = evaluate(run, Slos(viewer_error_rate=0.01), T0, T0 + 60, [])
    assert verdict.result == "fail" and not verdict.checks[0].void


def test_a_healthy_generator_leaves_the_verdict_alone() -> None:
    run = series({})
    for second in run:
        second.observe(tm.SCHEDULE_LAG, 0.001)
        second.observe(tm.EVENT_LOOP_STALL, 0.002)
    verdict = evaluate(run, Slos(viewer_error_rate=0.5), T0, T0 + 60, [])
    assert verdict.inconclusive == () and verdict.result == "pass"


def test_many_overloaded_workers_are_named_up_to_a_limit() -> None:
    from livefire.verdict.doubts import generator_doubts

    run = series({})
    for n, second in enumerate(run[:25]):
        second.count(tm.WORKER_UNRELIABLE + f"w{n:02}")
    reasons = set(generator_doubts(run, Slos(), T0)[1].values())
    assert len(reasons) == 11
    assert "load generator overloaded: workers fell behind in more ranges" in reasons


def test_with_several_faults_each_is_also_judged_on_its_own() -> None:
    faults = [
        FaultWindow("f0", "edge-latency", "edge-apac", T0 + 5, T0 + 45),  # mild, long
        FaultWindow("f1", "origin-brownout", "origin", T0 + 46, T0 + 47.5),  # severe, short
    ]
    slos = Slos(during_faults=PhaseSlos(stream_latency_p95=0.5))
    verdict = evaluate(series({range(5, 45): 0.2, range(46, 48): 2.0}), slos, T0, T0 + 60, faults)
    by = {c.phase: c for c in verdict.checks}
    assert by["during_faults"].passed  # 2 bad seconds of 42: inside the union's p95
    assert by["during:f0"].passed and not by["during:f1"].passed
    assert by["during:f1"].measured > 1.9


def test_a_worker_silent_in_the_last_judged_seconds_is_a_gap() -> None:
    run = series({})
    for second in run:
        second.count(tm.HEARTBEAT, 1 if second.t - T0 >= 58 else 2)
    verdict = evaluate(run, Slos(viewer_error_rate=0.5), T0, T0 + 60, [])
    assert verdict.result == "inconclusive"
    assert verdict.inconclusive == ("telemetry gap: 1 worker(s) silent from t=58s to t=60s",)
