"""chat-node-kill: a chat server crashes; its WebSocket members must reconnect elsewhere."""

from __future__ import annotations

from chaos.faults._process import Kill, kill
from chaos.model import FAULTS, FaultType


class ChatNodeKill(Kill):
    pass


FAULTS.add(
    "chat-node-kill",
    FaultType(
        "chat-node-kill",
        "a chat node is killed; revert restarts it if the target says how",
        True,
        ChatNodeKill,
        kill,
        "process",
    ),
)
