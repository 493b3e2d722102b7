"""How the safety net undoes a fault: revert, else fallback, and what the journal says."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

from chaos.drivers.process import start_time
from chaos.journal import INJECTED, INJECTING, REVERT_FAILED, REVERTED, VOID, Entry, Journal
from chaos.safety import FaultSession, gone, revert_active, undo
from livefire.base.errors import FaultError


class Stub:
    """A driver whose revert and fallback succeed or raise as told; it counts calls."""

    def __init__(self, revert: Exception | None = None) -> None:
        self.revert_error = revert
        self.calls: list[str] = []

    def inject(self) -> None:
        self.calls.append("inject")

    def revert(self) -> None:
        self.calls.append("revert")
        if self.revert_error:
            raise self.revert_error

    def spec(self) -> dict[str, Any]:
        return {"driver": "stub"}


class WithFallback(Stub):
    def __init__(self, revert: Exception | None = None, fallback: bool = True) -> None:
        super().__init__(revert)
        self.fallback_works = fallback

    def fallback(self) -> None:
        self.calls.append("fallback")
        if not self.fallback_works:
            raise FaultError("proxy API down")


def test_revert_that_works_never_falls_back(tmp_path: Path) -> None:
    driver = WithFallback()
    assert undo(Journal(tmp_path), "f1", driver, "conductor")
    assert driver.calls == ["revert"]
    assert Journal(tmp_path).latest()["f1"].by == "conductor"


def test_failed_revert_falls_back(tmp_path: Path) -> None:
    driver = WithFallback(FaultError("DELETE timed out"))
    assert undo(Journal(tmp_path), "f1", driver, "watchdog")
    last = Journal(tmp_path).latest()["f1"]
    assert (last.event, last.by) == (REVERTED, "fallback")
    assert last.error == "watchdog: revert failed: DELETE timed out"


def test_both_failing_is_journaled_with_both_errors(tmp_path: Path) -> None:
    driver = WithFallback(FaultError("DELETE timed out"), fallback=False)
    assert not undo(Journal(tmp_path), "f1", driver, "conductor")
    last = Journal(tmp_path).latest()["f1"]
    assert last.event == REVERT_FAILED
    assert last.error.endswith("revert failed: DELETE timed out; fallback failed: proxy API down")


def test_a_driver_bug_does_not_stop_the_safety_net(tmp_path: Path) -> None:
    assert not undo(Journal(tmp_path), "f1", Stub(KeyError("oops")), "watchdog")
    assert Journal(tmp_path).latest()["f1"].event == REVERT_FAILED


def test_injected_entry_carries_what_the_driver_learnt(tmp_path: Path) -> None:
    class Learner(Stub):
        learnt = False

        def inject(self) -> None:
            self.learnt = True

        def spec(self) -> dict[str, Any]:
            return {"driver": "stub", "learnt": self.learnt}

    journal = Journal(tmp_path)
    FaultSession(journal).inject("f1", "x", "t", Learner(), ttl=30)
    (entry,) = journal.active()
    assert entry.event == INJECTED and entry.driver == {"driver": "stub", "learnt": True}
    assert (entry.fault, entry.target) == ("x", "t") and entry.deadline > time.time() + 25


def test_unknown_driver_in_journal_is_revert_failed(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(Entry("f1", INJECTING, time.time(), "x", "t", 0.0, {"driver": "gone"}))
    assert revert_active(journal, "chaos-revert", lambda entry: True) == ["f1"]
    last = journal.latest()["f1"]
    assert last.event == REVERT_FAILED and "unknown fault driver 'gone'" in last.error


def _dead_process() -> list[list[int]]:
    """[pid, start time] of a process that has exited (and been reaped)."""
    child = subprocess.Popen(["sleep", "5"])
    owner = [[child.pid, start_time(child.pid) or 0]]
    child.kill()
    child.wait(5)
    return owner


def test_a_fault_whose_platform_died_is_void_and_not_reverted(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(Entry("f0", INJECTED, time.time(), "edge-latency", "edge-apac", 0.0,
                         {"driver": "stub"}, owner=_dead_process()))  # fmt: skip
    driver = Stub(FaultError("connection refused"))
    assert undo(journal, "f0", driver, "watchdog", journal.latest()["f0"].owner)
    last = journal.latest()["f0"]
    assert (last.event, last.by) == (VOID, "watchdog") and "target gone" in last.error
    assert driver.calls == []  # no restart of one process of a dead platform, no retry
    assert journal.active() == []


def test_a_fault_whose_platform_lives_is_reverted_and_may_fail(tmp_path: Path) -> None:
    alive = [[os.getpid(), start_time(os.getpid()) or 0]]
    driver = Stub(FaultError("connection refused"))
    assert not undo(Journal(tmp_path), "f0", driver, "watchdog", alive)
    assert Journal(tmp_path).latest()["f0"].event == REVERT_FAILED
    assert driver.calls == ["revert"]


def test_no_owner_is_never_void(tmp_path: Path) -> None:
    """A foreign proxy that refuses connections may come back with its fault in place."""
    assert not gone(None) and not gone([])
    assert not undo(Journal(tmp_path), "f0", Stub(FaultError("refused")), "watchdog")
    assert Journal(tmp_path).latest()["f0"].event == REVERT_FAILED


def test_a_revert_error_is_journaled_on_one_line(tmp_path: Path) -> None:
    undo(Journal(tmp_path), "f0", Stub(FaultError("line one\nline two")), "watchdog")
    assert Journal(tmp_path).latest()["f0"].error == "watchdog: revert failed: line one line two"
