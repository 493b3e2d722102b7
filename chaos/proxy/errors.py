"""What the fault proxy raises, and the one table of errors its HTTP API answers with.

    LivefireError
    └── ProxyError              (livefire.base.errors) the server or a configured proxy could
        │                       not start (bad config file, refused address, port in use)
        └── ApiError            one entry of `Err` plus a detail; the API answers it as
                                `{"error": message, "status": status}` with that HTTP status

Toxiproxy keeps every API error in one table pairing message and status, so clients can rely
on both; `Err` is that table (same messages as Toxiproxy where Toxiproxy has one).
"""

from __future__ import annotations

import enum
from typing import Any

from livefire.base.errors import ProxyError


class Err(enum.Enum):
    """Every error the API answers: (message, HTTP status)."""

    BAD_REQUEST_BODY = ("bad request body", 400)
    MISSING_FIELD = ("missing required field", 400)
    INVALID_STREAM = ("stream was invalid, can be either upstream or downstream", 400)
    INVALID_TOXIC_TYPE = ("invalid toxic type", 400)
    REMOTE_REFUSED = ("address is not loopback; start the server with --allow-remote", 400)
    UNAUTHORIZED = ("missing or invalid token (Authorization: Bearer T or X-Livefire-Token)", 401)
    BROWSER_FORBIDDEN = ("User agent not allowed", 403)
    PROXY_NOT_FOUND = ("proxy not found", 404)
    TOXIC_NOT_FOUND = ("toxic not found", 404)
    ROUTE_NOT_FOUND = ("no such endpoint", 404)
    METHOD_NOT_ALLOWED = ("method not allowed", 405)
    PROXY_EXISTS = ("proxy already exists", 409)
    TOXIC_EXISTS = ("toxic already exists", 409)
    LISTEN_FAILED = ("could not listen", 500)
    INTERNAL = ("internal error", 500)

    @property
    def message(self) -> str:
        return self.value[0]

    @property
    def status(self) -> int:
        return self.value[1]


class ApiError(ProxyError):
    """An `Err` entry with an optional detail, answered to the API client as JSON."""

    def __init__(self, kind: Err, detail: str = "") -> None:
        self.kind = kind
        self.detail = detail
        self.message = f"{kind.message}: {detail}" if detail else kind.message
        self.status = kind.status
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "status": self.status}
