"""transcoder-node-kill: a transcoding node crashes (documented: failover in 8 s)."""

from __future__ import annotations

from chaos.faults._process import Kill, kill
from chaos.model import FAULTS, FaultType


class TranscoderNodeKill(Kill):
    pass


FAULTS.add(
    "transcoder-node-kill",
    FaultType(
        "transcoder-node-kill",
        "a transcoder node is killed; revert restarts it if the target says how",
        True,
        TranscoderNodeKill,
        kill,
        "process",
    ),
)
