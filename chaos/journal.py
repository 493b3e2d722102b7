"""The fault journal: an fsync'ed, append-only record of every fault livefire touches.

An entry is written *before* a fault is injected, so whoever reads the journal later — the
conductor, the watchdog, `livefire chaos revert` — knows about every fault that might be
active, and has the driver spec needed to undo it. Lines stay far below PIPE_BUF, so appends
from the conductor and the watchdog never interleave.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INJECTING, INJECTED, INJECT_FAILED = "injecting", "injected", "inject_failed"
REVERTED, REVERT_FAILED = "reverted", "revert_failed"
ACTIVE_STATES = (INJECTING, INJECTED, REVERT_FAILED)


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


class Journal:
    FILE = "faults.jsonl"

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / self.FILE

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
        out = []
        for line in self.path.read_text().splitlines():
            if line.strip():
                data = json.loads(line)
                out.append(Entry(**data))
        return out

    def latest(self) -> dict[str, Entry]:
        """The last entry of every fault id, with what earlier entries said and it does not:
        the catalog name, target and deadline of the first, the newest driver spec."""
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
                    }
                )
            latest[entry.fault_id] = entry
        return latest

    def active(self) -> list[Entry]:
        """Faults that may still be in effect: injected (or half-injected) and not reverted."""
        return [e for e in self.latest().values() if e.event in ACTIVE_STATES]


def now() -> float:
    return time.time()
