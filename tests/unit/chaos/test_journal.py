"""The journal read back: half-injected faults stay active, and a bad line hides nothing."""

from __future__ import annotations

from pathlib import Path

from chaos.journal import INJECT_FAILED, INJECTING, REVERTED, Entry, Journal
from livefire.journal_windows import fault_windows


def test_a_failed_injection_is_still_active(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(Entry("f1", INJECTING, 1.0, "origin-brownout", "origin", 31.0, {"d": 1}))
    journal.append(Entry("f1", INJECT_FAILED, 2.0, error="slicer refused"))
    [active] = journal.active()
    assert (active.fault_id, active.event, active.driver) == ("f1", INJECT_FAILED, {"d": 1})
    journal.append(Entry("f1", REVERTED, 3.0))
    assert journal.active() == []


def test_unreadable_lines_are_skipped_and_reported(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(Entry("f1", INJECTING, 1.0, "edge-latency", "edge-eu", 31.0, {"d": 1}))
    with journal.path.open("a") as out:
        out.write('{"fault_id": "f9", "event": "inj\n')  # torn write
        out.write('{"no_such_field": 1}\n')
        out.write("[1, 2]\n")
    journal.append(Entry("f2", INJECTING, 2.0, "edge-latency", "edge-us", 32.0, {"d": 2}))
    assert [e.fault_id for e in journal.active()] == ["f1", "f2"]
    assert [number for number, _ in journal.unreadable] == [2, 3, 4]
    assert "JSONDecodeError" in journal.unreadable[0][1]


def test_a_void_fault_window_ends_when_it_was_found_void() -> None:
    """Its platform died with it: the fault was over by then at the latest."""
    journal = [
        Entry("f0", "injected", 10.0, "edge-latency", "edge-apac", 50.0),
        Entry("f0", "void", 14.0, error="target gone"),
    ]
    (window,) = fault_windows(journal, run_end=60.0)
    assert (window.start, window.end) == (10.0, 14.0)
