"""The safety net: inject through the journal, revert on schedule or on any way out.

`FaultSession` is what the conductor uses; `revert_active` is shared with the watchdog and
`livefire chaos revert`, so all three undo faults the same way, from the journal alone.

How one fault is undone (`undo`): `driver.revert()` (bounded by the driver's own timeouts
and retries); if that fails and the driver has the optional `fallback()` ability, the
fallback; the outcome is journaled as `reverted` (by whoever reverted, or by "fallback",
with the revert's failure in `error`) or `revert_failed` (with both errors). A fault whose
`owner` (the embedded platform's processes) no longer runs is journaled `void` instead, before
a revert is tried (a restart must not bring back one process of a dead platform) and after a
revert failed (the platform may have died during it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import chaos.drivers  # noqa: F401  (registers drivers)
from chaos.drivers.process import start_time
from chaos.journal import (
    INJECT_FAILED,
    INJECTED,
    INJECTING,
    REVERT_FAILED,
    REVERTED,
    VOID,
    Entry,
    Journal,
    now,
)
from chaos.model import DRIVERS, Driver, Fallback
from livefire.base.errors import FaultError

log = logging.getLogger(__name__)

FALLBACK = "fallback"  # the `by` of a revert that only the fallback achieved


class FaultSession:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.drivers: dict[str, Driver] = {}

    def inject(
        self,
        fault_id: str,
        fault: str,
        target: str,
        driver: Driver,
        ttl: float,
        owner: list[list[int]] | None = None,
    ) -> None:
        """Journal, then inject. A failed injection is reverted too: it may be half done.

        The `injected` entry carries the driver's spec again: what it learnt while injecting
        (e.g. a proxy's definition for the fallback) is then known to every reverter. `owner`:
        the embedded platform's processes (see `chaos.journal`), None for any other target.
        """
        self.drivers[fault_id] = driver
        self.journal.append(
            Entry(
                fault_id, INJECTING, now(), fault, target, now() + ttl, driver.spec(), owner=owner
            )
        )
        try:
            driver.inject()
        except Exception as exc:  # a driver bug may have half-injected too
            self.journal.append(Entry(fault_id, INJECT_FAILED, now(), error=str(exc)))
            self.revert(fault_id)
            raise
        self.journal.append(Entry(fault_id, INJECTED, now(), driver=driver.spec()))

    def revert(self, fault_id: str) -> bool:
        """Undo one fault, unless the journal says someone (the watchdog, past the TTL) already
        did: a second revert could start a second copy of a restarted process."""
        driver = self.drivers.get(fault_id)
        if driver is None:
            return True
        last = self.journal.latest().get(fault_id)
        if last is not None and last.event in (REVERTED, VOID):
            return True
        return undo(self.journal, fault_id, driver, "conductor", last.owner if last else None)

    def revert_all(self) -> list[str]:
        """Revert every fault the journal says may be active; return those that failed."""
        return revert_active(self.journal, "conductor", lambda entry: True)


def revert_active(journal: Journal, by: str, due: Callable[[Entry], bool]) -> list[str]:
    """Undo every active fault for which `due(entry)`; return the ids that stay active."""
    _load_plugins_once()
    failed = []
    for entry in journal.active():
        if not due(entry):
            continue
        if _void(journal, entry.fault_id, entry.owner, by):
            continue
        if entry.driver is None:
            continue
        try:
            driver = DRIVERS.get(entry.driver["driver"])(entry.driver)
        except (KeyError, TypeError, ValueError, FaultError) as exc:
            message = f"cannot rebuild the driver from the journal: {exc}"
            journal.append(Entry(entry.fault_id, REVERT_FAILED, now(), by=by, error=message))
            failed.append(entry.fault_id)
            continue
        if not undo(journal, entry.fault_id, driver, by, entry.owner):
            failed.append(entry.fault_id)
    return failed


_plugins: list[str] | None = None


def _load_plugins_once() -> None:
    """Plugin drivers must be known to rebuild their faults; the watchdog polls, so once."""
    global _plugins
    if _plugins is None:
        from chaos.plugins import load_plugins

        _plugins = load_plugins(strict=False)


def gone(owner: list[list[int]] | None) -> bool:
    """True when `owner` names processes and none of them runs (same pid, same start time).
    No owner is never gone: only a platform we saw die is proof that its faults died."""
    return bool(owner) and not any(start_time(pid) == start for pid, start in owner or [])


def _void(journal: Journal, fault_id: str, owner: list[list[int]] | None, by: str) -> bool:
    """Journal the fault void when its owning platform is gone; True if so."""
    if not gone(owner):
        return False
    count = len(owner or [])
    error = f"target gone: the embedded platform that held it ({count} processes) has exited"
    log.info("%s is void: %s", fault_id, error)
    journal.append(Entry(fault_id, VOID, now(), by=by, error=error))
    return True


def undo(
    journal: Journal, fault_id: str, driver: Driver, by: str, owner: list[list[int]] | None = None
) -> bool:
    """Revert, else fall back; journal the outcome; True when the fault is undone (or void:
    its `owner` platform is gone)."""
    if _void(journal, fault_id, owner, by):
        return True
    try:
        driver.revert()
    except Exception as exc:  # the safety net must outlive any driver bug
        if _void(journal, fault_id, owner, by):
            return True
        error = f"{by}: revert failed: {_one_line(exc)}"
        if isinstance(driver, Fallback):
            try:
                driver.fallback()
            except Exception as fallback_exc:
                error += f"; fallback failed: {_one_line(fallback_exc)}"
            else:
                log.warning("revert of %s failed, fallback succeeded: %s", fault_id, exc)
                journal.append(Entry(fault_id, REVERTED, now(), by=FALLBACK, error=error))
                return True
        log.error("revert of %s failed: %s", fault_id, error)
        journal.append(Entry(fault_id, REVERT_FAILED, now(), by=by, error=error))
        return False
    journal.append(Entry(fault_id, REVERTED, now(), by=by))
    return True


def _one_line(exc: BaseException) -> str:
    """An error as one line: a journal entry and the message quoting it stay on one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


_revert = undo  # the old private name


__all__ = ["FALLBACK", "INJECTED", "INJECTING", "FaultSession", "gone", "revert_active", "undo"]
