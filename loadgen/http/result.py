"""What one request produced, with the four timestamps that make latency honest."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HttpResult:
    """The outcome of one GET. Every timestamp is `time.time()` seconds.

    Latency is measured from `intended`, not from `sent`: when the load generator itself falls
    behind, that delay is the viewer's too (no coordinated omission).
    """

    url: str
    status: int
    """HTTP status code; 0 when no response arrived (connect error, timeout, reset). When the
    headers arrived but the body was cut short, the received status with `error` set."""
    headers: Mapping[str, str]
    """Response headers with lower-case names (a repeated header keeps its last value)."""
    body: bytes
    """The whole body (what arrived of it, when `error` is set)."""
    error: str | None
    """What went wrong, e.g. "timeout after 5.0 s", "connection reset"; None on success."""
    intended: float
    """When the request was meant to leave (the real send time unless the caller scheduled it)."""
    sent: float
    """When the first byte was written (when the attempt started, if nothing was written)."""
    began: float
    """When the client began the attempt, before any connect. The generator's own lateness is
    `began − intended`: a slow connect (a SYN retried, a full accept queue) is the network's
    or the server's time, not the load generator's."""
    first_byte: float
    """When the first response byte arrived; 0.0 if none did."""
    last_byte: float
    """When the last body byte arrived; 0.0 if the response did not complete."""

    @property
    def ok(self) -> bool:
        """A 2xx/3xx response that arrived completely."""
        return 200 <= self.status < 400 and self.error is None

    @property
    def latency_ms(self) -> float:
        """From intended send to last byte (or to now, if it never came), in milliseconds."""
        end = self.last_byte or time.time()
        return (end - self.intended) * 1000.0

    @property
    def self_delay_ms(self) -> float:
        """How late the generator itself began the request: began − intended, in ms."""
        return (self.began - self.intended) * 1000.0


class RequestFailed(Exception):
    """Reported to Locust's request event for a result that is not ok (never raised)."""
