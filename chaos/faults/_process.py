"""Shared by the catalog's kill faults: the parameters and the driver they build."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from chaos.drivers.process import ProcessSignal
from chaos.model import Params, TargetRef
from livefire.base.units import parse_duration


class Kill(Params):
    signal: Literal["KILL", "TERM"] = "KILL"  # KILL: a crash; TERM: a graceful stop
    restart: bool = True  # on revert, start it again with the target's restart command
    # restart this long after the kill, whatever `for` says (the timeline moves the revert,
    # which for a kill *is* the restart: see livefire.timeline)
    restart_after: float | None = Field(default=None, gt=0, le=3600)  # seconds, or "5s"

    @field_validator("restart_after", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _restart_after_needs_restart(self) -> Kill:
        if self.restart_after is not None and not self.restart:
            raise ValueError("restart_after needs restart: true")
        return self


def kill(target: TargetRef, params: Kill, fault_id: str) -> ProcessSignal:
    return ProcessSignal.for_target(target, params.signal, params.restart)
