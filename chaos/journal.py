"""The fault journal: an fsync'ed, append-only record of every fault livefire touches.

An entry is written *before* a fault is injected, so whoever reads the journal later — the
conductor, the watchdog, `livefire chaos revert` — knows about every fault that might be
active, and has the driver spec needed to undo it. Lines stay far below PIPE_BUF, so appends
from the conductor and the watchdog never interleave.

A fault on the embedded platform records the platform's processes (`owner`: pid and start
time of each, as journaled at injection). Once none of them runs, the platform died and took
the fault with it: the fault is journaled `void` (target gone) instead of being retried
against an API that will never answer again. A target without an owner (staging, a foreign
proxy) is never void: an unreachable proxy may come back with the fault still in place.

A line that cannot be read back (torn by a full disk, edited by hand) is skipped and listed in
`Journal.unreadable`: one bad line must not hide every other fault from the reverters.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INJECTING, INJECTED, INJECT_FAILED = "injecting", "injected", "inject_failed"
REVERTED, REVERT_FAILED = "reverted", "revert_failed"
NOT_INJECTED = "not_injected"  # planned, but refused before anything was touched
VOID = "void"  # its target died with the embedded platform that held it: nothing to undo
# INJECT_FAILED is active too: a multi-part fault may fail partway with parts in effect, and
# the conductor may die before its immediate revert is journaled.
ACTIVE_STATES = (INJECTING, INJECTED, INJECT_FAILED, REVERT_FAILED)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    fault_id: str
    event: str
    t: float
    fault: str = ""  # catalog name
    target: str = ""
    deadline: float = 0.0  # epoch: the watchdog reverts after this
    driver: dict[str, Any] | None = None
    by: str = "conductor"
    error: str = ""
    owner: list[list[int]] | None = None  # [pid, start time] of the embedded platform's processes


class Journal:
    FILE = "faults.jsonl"

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / self.FILE
        self.unreadable: list[tuple[int, str]] = []  # (line number, why) from the last read

    def append(self, entry: Entry) -> None:
        line = json.dumps({k: v for k, v in entry.__dict__.items() if v not in ("", None)})
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> list[Entry]:
        if not self.path.exists():
            return []
        out, unreadable = [], []
        for number, line in enumerate(self.path.read_text(errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append(Entry(**json.loads(line)))
            except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
                unreadable.append((number, f"{type(exc).__name__}: {exc}"))
        for number, why in unreadable:
            if (number, why) not in self.unreadable:
                log.warning("%s:%d: unreadable journal line skipped (%s)", self.path, number, why)
        self.unreadable = unreadable
        return out

    def latest(self) -> dict[str, Entry]:
        """The last entry of every fault id, with what earlier entries said and it does not:
        the catalog name, target, deadline and owner of the first, the newest driver spec."""
        latest: dict[str, Entry] = {}
        for entry in self.entries():
            first = latest.get(entry.fault_id)
            if first is not None:
                entry = Entry(
                    **{
                        **entry.__dict__,
                        "driver": entry.driver if entry.driver is not None else first.driver,
                        "fault": entry.fault or first.fault,
                        "target": entry.target or first.target,
                        "deadline": entry.deadline or first.deadline,
                        "owner": entry.owner if entry.owner is not None else first.owner,
                    }
                )
            latest[entry.fault_id] = entry
        return latest

    def active(self) -> list[Entry]:
        """Faults that may still be in effect: injected (or half-injected) and not reverted."""
        return [e for e in self.latest().values() if e.event in ACTIVE_STATES]


def now() -> float:
    return time.time()
