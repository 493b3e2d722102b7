"""The gift and search protocol templates (placeholder: filled in by the HTTP-template work)."""

from __future__ import annotations

from livefire.scenario.slos import Model


class GiftProtocol(Model):
    plugin: str | None = None


class SearchProtocol(Model):
    plugin: str | None = None
