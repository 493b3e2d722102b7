"""Reconciliation catches a dropped gift and a doubled one, and names both."""

from livefire.verdict.reconcile import reconcile


def acked(key: str, at: float = 100.0) -> dict[str, object]:
    return {"kind": "gift", "state": "acked", "key": key, "acked": at}


def booked(key: str, at: float = 101.0) -> dict[str, object]:
    return {"idempotency_key": key, "applied_at": at}


def test_a_ledger_that_drops_one_and_doubles_another_is_caught() -> None:
    journal = [acked(f"k{i}") for i in range(10)]
    ledger = [booked(f"k{i}") for i in range(10) if i != 3] + [booked("k7")]
    result = reconcile(journal, ledger, deadline_s=30)
    assert result.lost == ("k3",)
    assert result.doubled == ("k7",)
    assert result.consistent_ratio == 0.8


def test_late_booking_is_named() -> None:
    result = reconcile([acked("a"), acked("b")], [booked("a"), booked("b", at=200)], 30)
    assert result.late == ("b",) and result.lost == ()


def test_indeterminate_gifts_may_appear_once_but_not_twice() -> None:
    journal = [
        {"kind": "gift", "state": "indeterminate", "key": "x"},
        {"kind": "gift", "state": "indeterminate", "key": "y"},
    ]
    ledger = [booked("x"), booked("y"), booked("y")]
    result = reconcile(journal, ledger, 30)
    assert result.doubled == ("y",) and result.acked == 0 and result.consistent_ratio is None


def test_a_clean_ledger_is_fully_consistent() -> None:
    result = reconcile([acked("a"), acked("b")], [booked("a"), booked("b")], 30)
    assert result.consistent_ratio == 1.0 and not (result.lost or result.doubled or result.late)
