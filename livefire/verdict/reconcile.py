"""Gift reconciliation: every acknowledged gift must be in the ledger exactly once, in time.

Pure: fed the gifters' journal (acknowledged and indeterminate gifts, by idempotency key) and
the ledger's entries. Indeterminate gifts (never acknowledged) may be in the ledger, but at
most once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reconciliation:
    acked: int
    indeterminate: int
    lost: tuple[str, ...]  # acknowledged, never in the ledger
    doubled: tuple[str, ...]  # in the ledger more than once (acknowledged or not)
    late: tuple[str, ...]  # in the ledger, but later than the deadline after acknowledgement
    deadline_s: float

    @property
    def consistent_ratio(self) -> float | None:
        """Acknowledged gifts booked exactly once within the deadline, over all acknowledged."""
        if not self.acked:
            return None
        bad = set(self.lost) | set(self.late) | set(self.doubled)
        return 1 - len(bad & self._acked_keys) / self.acked

    _acked_keys: frozenset[str] = frozenset()


def reconcile(
    journal: Sequence[dict[str, Any]], ledger: Sequence[dict[str, Any]], deadline_s: float
) -> Reconciliation:
    gifts = [e for e in journal if e.get("kind") == "gift"]
    acked = {e["key"]: e for e in gifts if e["state"] == "acked"}
    indeterminate = {e["key"] for e in gifts if e["state"] == "indeterminate"}
    booked = Counter(str(entry.get("idempotency_key")) for entry in ledger)
    first_applied: dict[str, float] = {}
    for entry in ledger:
        key = str(entry.get("idempotency_key"))
        first_applied[key] = min(
            first_applied.get(key, float("inf")), float(entry.get("applied_at", 0))
        )
    lost = sorted(k for k in acked if booked[k] == 0)
    doubled = sorted(k for k in set(acked) | indeterminate if booked[k] > 1)
    late = sorted(
        k
        for k, e in acked.items()
        if booked[k] and first_applied[k] - float(e["acked"]) > deadline_s
    )
    return Reconciliation(
        len(acked),
        len(indeterminate),
        tuple(lost),
        tuple(doubled),
        tuple(late),
        deadline_s,
        frozenset(acked),
    )
