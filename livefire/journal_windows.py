"""Fault windows from the fault journal: the one adapter between chaos's journal and the
verdict's own `FaultWindow`, so the verdict never reads chaos types."""

from __future__ import annotations

from collections.abc import Sequence

from chaos.journal import INJECTED, INJECTING, REVERTED, VOID, Entry
from livefire.verdict.engine import FaultWindow


def fault_windows(
    journal: Sequence[Entry], run_end: float, self_healing: frozenset[str] = frozenset()
) -> list[FaultWindow]:
    """When each fault was actually in effect, from the journal (not from the plan)."""
    windows: dict[str, FaultWindow] = {}
    for entry in journal:
        if entry.event in (INJECTING, INJECTED) and entry.fault_id not in windows:
            windows[entry.fault_id] = FaultWindow(
                entry.fault_id,
                entry.fault,
                entry.target,
                entry.t,
                run_end,
                entry.fault in self_healing,
            )
        elif entry.event in (REVERTED, VOID) and entry.fault_id in windows:  # void: it died
            w = windows[entry.fault_id]
            if w.end == run_end:
                windows[entry.fault_id] = FaultWindow(
                    w.fault_id, w.fault, w.target, w.start, min(entry.t, run_end), w.self_healing
                )
    return list(windows.values())
