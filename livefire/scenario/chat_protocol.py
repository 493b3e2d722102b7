"""The chat protocol template (placeholder: filled in by the chat-template work)."""

from __future__ import annotations

from livefire.scenario.slos import Model


class ChatProtocol(Model):
    plugin: str | None = None
