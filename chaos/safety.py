"""The safety net: inject through the journal, revert on schedule or on any way out.

`FaultSession` is what the conductor uses; `revert_active` is shared with the watchdog and
`livefire chaos revert`, so all three undo faults the same way, from the journal alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import chaos.drivers  # noqa: F401  (registers drivers)
from chaos.journal import (
    INJECT_FAILED,
    INJECTED,
    INJECTING,
    REVERT_FAILED,
    REVERTED,
    Entry,
    Journal,
    now,
)
from chaos.model import DRIVERS, Driver
from livefire.errors import FaultError

log = logging.getLogger(__name__)


class FaultSession:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.drivers: dict[str, Driver] = {}

    def inject(self, fault_id: str, fault: str, target: str, driver: Driver, ttl: float) -> None:
        """Journal, then inject. A failed injection is reverted too: it may be half done."""
        self.drivers[fault_id] = driver
        self.journal.append(
            Entry(fault_id, INJECTING, now(), fault, target, now() + ttl, driver.spec())
        )
        try:
            driver.inject()
        except FaultError as exc:
            self.journal.append(Entry(fault_id, INJECT_FAILED, now(), error=str(exc)))
            self.revert(fault_id)
            raise
        self.journal.append(Entry(fault_id, INJECTED, now()))

    def revert(self, fault_id: str) -> bool:
        driver = self.drivers.get(fault_id)
        if driver is None:
            return True
        return _revert(self.journal, fault_id, driver, "conductor")

    def revert_all(self) -> list[str]:
        """Revert every fault the journal says may be active; return those that failed."""
        return revert_active(self.journal, "conductor", lambda entry: True)


def revert_active(journal: Journal, by: str, due: Callable[[Entry], bool]) -> list[str]:
    failed = []
    for entry in journal.active():
        if not due(entry) or entry.driver is None:
            continue
        driver = DRIVERS.get(entry.driver["driver"])(entry.driver)
        if not _revert(journal, entry.fault_id, driver, by):
            failed.append(entry.fault_id)
    return failed


def _revert(journal: Journal, fault_id: str, driver: Driver, by: str) -> bool:
    try:
        driver.revert()
    except FaultError as exc:
        log.error("revert of %s failed: %s", fault_id, exc)
        journal.append(Entry(fault_id, REVERT_FAILED, now(), by=by, error=str(exc)))
        return False
    journal.append(Entry(fault_id, REVERTED, now(), by=by))
    return True


__all__ = ["INJECTED", "INJECTING", "FaultSession", "revert_active"]
