"""command: run the target's declared inject/revert commands (kubectl, ssh, cloud CLIs).

The argv lists come from the target's declaration, never from a shell string; the scenario
only tunes how long they may take. See chaos.drivers.command.
"""

from __future__ import annotations

from pydantic import Field

from chaos.drivers.command import Command
from chaos.model import FAULTS, FaultType, Params, TargetRef


class CommandParams(Params):
    timeout_s: float = Field(default=30.0, gt=0, le=600)  # per run of a command
    attempts: int = Field(default=3, ge=1, le=10)  # of the revert command


def build(target: TargetRef, params: CommandParams, fault_id: str) -> Command:
    assert target.command is not None
    env = {"LIVEFIRE_FAULT_ID": fault_id, "LIVEFIRE_TARGET": target.name}
    return Command(
        {
            "inject": list(target.command["inject"]),
            "revert": list(target.command.get("revert") or []),
            "timeout_s": params.timeout_s,
            "attempts": params.attempts,
            "env": env,
        }
    )


FAULTS.add(
    "command",
    FaultType(
        "command",
        "run the target's own inject and revert commands (argv lists, no shell)",
        False,
        CommandParams,
        build,
        "command",
    ),
)
