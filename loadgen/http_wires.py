"""The gift and search protocol interfaces, for plugins of `livefire.protocols` (roles "gifts"
and "search") that speak a platform's own HTTP API where a template cannot say it.

A gifts plugin posts one gift per call (livefire keeps the schedule, the idempotency key, the
retries with the same key, the journal and every SLI) and reads the ledger back for
reconciliation; `read_ledger` runs in the conductor, so the plugin's module must not import
Locust. A search plugin makes one search per call; the searcher measures it from its intended
time. Both are built once per simulated user (the conductor builds its own for the ledger)
with the scenario's `options`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from livefire.base.connect import EndpointSettings
from loadgen.protocol_plugins import register_interface

if TYPE_CHECKING:
    from loadgen.user_http import UserHttp


@dataclass(frozen=True)
class GiftCall:
    """One attempt at one gift: where, what, under which key, how long it may take, for whom."""

    api: str  # the gifts endpoint's base URL
    gift: dict[str, Any]  # stream, sender, amount
    key: str  # the idempotency key: the same on every retry of this gift
    timeout: float  # seconds this attempt may take
    user: UserHttp | None  # the simulated user: requests_options("gifts", url), login, cookies


class GiftWire(Protocol):
    role: ClassVar[str]

    def post(self, call: GiftCall) -> dict[str, Any] | None:
        """One attempt: what the journal should keep of the answer (e.g. {"id": ...}) when the
        platform acknowledged the gift, None when it did not (retried with the same key).
        Raise (OSError, ValueError, requests' errors) for an attempt that failed on the wire."""

    def read_ledger(self, gifts_url: str, settings: EndpointSettings) -> list[dict[str, Any]]:
        """Every entry of the platform's ledger, each with `idempotency_key` (str) and
        `applied_at` (epoch seconds); in the conductor, with the gifts endpoint's settings."""


class SearchWire(Protocol):
    role: ClassVar[str]

    def search(self, discovery_url: str, user: UserHttp, timeout: float) -> bool:
        """One search; True when it succeeded. Raise for one that failed on the wire."""


register_interface("gifts", GiftWire)
register_interface("search", SearchWire)
