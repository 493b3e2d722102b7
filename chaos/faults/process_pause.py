"""process-pause: freeze the target's processes (SIGSTOP) — a hang, not a crash."""

from __future__ import annotations

from chaos.drivers.process import ProcessSignal
from chaos.model import FAULTS, FaultType, Params, TargetRef


class ProcessPause(Params):
    restart: bool = True  # fallback when SIGCONT fails: kill and restart (if configured)


def build(target: TargetRef, params: ProcessPause, fault_id: str) -> ProcessSignal:
    return ProcessSignal.for_target(target, "STOP", params.restart)


FAULTS.add(
    "process-pause",
    FaultType(
        "process-pause",
        "SIGSTOP the target's processes; revert sends SIGCONT",
        False,
        ProcessPause,
        build,
        "process",
    ),
)
