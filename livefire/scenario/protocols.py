"""The platform's own protocols (`target.staging.protocols`): what chatters, gifters and
searchers say on the wire when the platform is not livefire's reference platform. Each role
is a declarative template or a plugin (entry-point group `livefire.protocols`)."""

from __future__ import annotations

from typing import Any

from livefire.scenario.chat_protocol import ChatProtocol
from livefire.scenario.http_protocols import GiftProtocol, SearchProtocol
from livefire.scenario.slos import Model


class Protocols(Model):
    chat: ChatProtocol | None = None  # default: livefire's JSON join/msg protocol
    gifts: GiftProtocol | None = None  # default: POST /gifts (202), GET /ledger?after=
    search: SearchProtocol | None = None  # default: GET /search?q=live

    def to_load(self) -> dict[str, dict[str, Any]]:
        """Role → its JSON form, as `LoadConfig.protocols` carries it."""
        return {
            role: spec.model_dump(mode="json", exclude_unset=True)  # an explicit null stays null
            for role in ("chat", "gifts", "search")
            if (spec := getattr(self, role)) is not None
        }
