"""False passes found in review, each on synthetic telemetry of known truth: a fault's
effect that reaches viewers late, a fault with no visible effect, sparse SLIs, a doubt that
must not void an unrelated broken promise, impossible chat accounting."""

from livefire.base import telemetry as tm
from livefire.scenario.slos import GiftSlos, Slos
from livefire.verdict.engine import FaultWindow, evaluate
from livefire.verdict.reconcile import reconcile

T0 = 1_000


def viewers(errors_at: range = range(0), seconds: int = 60) -> list[tm.Second]:
    out = []
    for t in range(T0, T0 + seconds):
        second = tm.Second(t)
        second.count(tm.REQUESTS, 100)
        if t - T0 in errors_at:
            second.count(tm.REQUEST_ERRORS, 50)
        out.append(second)
    return out


def kill(at: int = 20) -> FaultWindow:
    return FaultWindow("f0", "transcoder-node-kill", "transcoder-0", T0 + at, T0 + at + 0.05, True)


def recovery_check(verdict):  # type: ignore[no-untyped-def]
    [check] = [c for c in verdict.checks if c.promise.startswith("recovery:")]
    return check


def test_an_effect_that_reaches_viewers_late_is_timed_to_its_end_not_read_as_0_s() -> None:
    # the kill at t=20 shows only from t=27 (player buffers, detection) to t=32
    slos = Slos(viewer_error_rate=0.01, stable_for=5.0, recovery={"transcoder-node-kill": 8.0})
    verdict = evaluate(viewers(errors_at=range(27, 32)), slos, T0, T0 + 60, [kill()])
    check = recovery_check(verdict)
    assert check.measured == 12 and not check.passed
    [row] = verdict.recoveries
    assert (row.effect_from_s, row.effect_to_s) == (27, 32) and row.visible


def test_a_fault_without_excursion_has_no_visible_effect_which_is_not_0_s() -> None:
    slos = Slos(viewer_error_rate=0.01, recovery={"transcoder-node-kill": 8.0})
    verdict = evaluate(viewers(), slos, T0, T0 + 60, [kill()])
    check = recovery_check(verdict)
    assert check.passed and check.found == "no visible effect" and check.measured is None
    [row] = verdict.recoveries
    assert not row.visible and row.seconds is None and row.effect_from_s is None


def test_an_effect_that_never_ends_never_recovers() -> None:
    slos = Slos(viewer_error_rate=0.01, recovery={"transcoder-node-kill": 8.0})
    verdict = evaluate(viewers(errors_at=range(25, 60)), slos, T0, T0 + 60, [kill()])
    check = recovery_check(verdict)
    assert not check.passed and check.found == "never"


def gifts(failing: range, seconds: int = 90) -> list[tm.Second]:
    """One gift every other second; those sent in `failing` are never acknowledged."""
    out = []
    for t in range(T0, T0 + seconds):
        second = tm.Second(t)
        second.count(tm.REQUESTS, 100)
        if t % 2 == 0:
            second.count(tm.GIFTS_ATTEMPTED)
            second.count(tm.GIFTS_ACKED, 0 if t - T0 in failing else 1)
        out.append(second)
    return out


def test_a_sparse_sli_recovers_over_a_window_sized_to_its_rate() -> None:
    slos = Slos(gift_success=0.999, recovery={"transcoder-node-kill": 15.0})
    verdict = evaluate(gifts(failing=range(20, 30)), slos, T0, T0 + 90, [kill()])
    check = recovery_check(verdict)
    [row] = verdict.recoveries
    assert row.window_s == 20  # 0.5 gifts a second, 10 to a window
    # the last failed gift is sent at t=28, the next (acknowledged) one at t=30
    assert check.passed and check.measured is not None and 9 <= check.measured <= 10


def test_an_overloaded_generator_does_not_void_a_lost_gift() -> None:
    run = viewers()
    for second in run:
        second.observe(tm.SCHEDULE_LAG, 0.2)
        for _ in range(20):
            second.observe(tm.STREAM_LATENCY, 0.05)
    journal = [{"kind": "gift", "state": "acked", "key": f"k{i}", "acked": 1.0} for i in range(3)]
    ledger = [{"idempotency_key": k, "applied_at": 2.0} for k in ("k0", "k1")]
    slos = Slos(stream_latency_p95=0.25, gifts=GiftSlos())
    verdict = evaluate(run, slos, T0, T0 + 60, [], reconcile(journal, ledger, 30))
    by = {c.promise: c for c in verdict.checks}
    broken = [c.promise for c in verdict.broken]
    assert verdict.result == "fail" and broken == ["gifts_lost", "gift_eventual_consistency"]
    assert by["stream_latency_p95"].void.startswith("load generator overloaded")
    assert not by["gifts_lost"].void


def test_more_chat_receipts_than_deliveries_owed_is_an_error_not_a_pass() -> None:
    run = viewers()
    for second in run:
        second.count(tm.CHAT_SENT + "r", 10)
        second.count(tm.CHAT_MEMBERS + "r", 2)  # 20 deliveries owed a second
        second.count(tm.CHAT_RECEIVED, 25)
        second.count(tm.CHAT_RECEIVED_100MS, 25)
    slos = Slos(chat_loss=0.001, chat_delivered_within_100ms=0.999)
    verdict = evaluate(run, slos, T0, T0 + 60, [])
    assert verdict.result == "fail"
    for check in verdict.checks:
        assert not check.passed and "1500 receipts for 1200 deliveries owed" in check.found


def chat_run(stall_at: int, stall_s: float) -> list[tm.Second]:
    run = viewers()
    for second in run:
        second.count(tm.CHAT_SENT + "r", 10)
        second.count(tm.CHAT_MEMBERS + "r", 2)
        late = 10 if second.t == T0 + stall_at else 0  # half a second's receipts read late
        second.count(tm.CHAT_RECEIVED, 20)
        second.count(tm.CHAT_RECEIVED_100MS, 20 - late)
        second.observe(tm.EVENT_LOOP_STALL, stall_s if second.t == T0 + stall_at else 0.002)
    return run


def test_chat_read_late_only_while_the_generator_stalled_is_void_not_a_failure() -> None:
    slos = Slos(chat_delivered_within_100ms=0.999, chat_loss=0.001)
    verdict = evaluate(chat_run(30, 0.115), slos, T0, T0 + 60, [])
    by = {c.promise: c for c in verdict.checks}
    assert by["chat_delivered_within_100ms"].void.startswith("load generator stalled: ")
    assert not by["chat_loss"].void and verdict.result == "inconclusive"


def test_chat_read_late_while_the_generator_was_healthy_is_a_failure() -> None:
    slos = Slos(chat_delivered_within_100ms=0.999)
    verdict = evaluate(chat_run(30, 0.01), slos, T0, T0 + 60, [])
    assert verdict.result == "fail" and not verdict.checks[0].void
