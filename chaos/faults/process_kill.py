"""process-kill: the generic kill, for any target with processes."""

from __future__ import annotations

from chaos.faults._process import Kill, kill
from chaos.model import FAULTS, FaultType


class ProcessKill(Kill):
    pass


FAULTS.add(
    "process-kill",
    FaultType(
        "process-kill",
        "SIGKILL (or SIGTERM) the target's processes; revert restarts them if configured",
        True,
        ProcessKill,
        kill,
        "process",
    ),
)
