"""Shared by the catalog's kill faults: the parameters and the driver they build."""

from __future__ import annotations

from typing import Literal

from chaos.drivers.process import ProcessSignal
from chaos.model import Params, TargetRef


class Kill(Params):
    signal: Literal["KILL", "TERM"] = "KILL"  # KILL: a crash; TERM: a graceful stop
    restart: bool = True  # on revert, start it again with the target's restart command


def kill(target: TargetRef, params: Kill, fault_id: str) -> ProcessSignal:
    return ProcessSignal.for_target(target, params.signal, params.restart)
