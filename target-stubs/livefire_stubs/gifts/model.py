"""Gift requests and records as types, validated at the door without any I/O."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_KEY", "Gift", "GiftError", "GiftRequest", "parse_gift", "parse_key"]

MAX_KEY = 200
STATUSES = ("queued", "paid", "failed")


class GiftError(ValueError):
    """A request the API refuses with 4xx; the message says which field and why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class GiftRequest:
    stream: str
    sender: str
    amount: float
    extra: dict[str, Any]
    """Any other JSON fields of the body, kept verbatim on the gift (e.g. `gift_type`)."""

    def fingerprint(self) -> str:
        """Same key with a different body is a client bug (422), not a retry."""
        canon = json.dumps([self.stream, self.sender, self.amount, self.extra], sort_keys=True)
        return hashlib.sha256(canon.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Gift:
    """A gift as stored: the request plus its id, key and progress."""

    id: str
    idempotency_key: str
    stream: str
    sender: str
    amount: float
    status: str
    created_at: float
    applied_at: float | None = None
    charge_id: str | None = None
    attempts: int = 0
    last_error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value or len(value) > MAX_KEY:
        found = "missing" if value is None else repr(value)[:40]
        raise GiftError(f"{key}: expected a non-empty string of at most {MAX_KEY}, got {found}")
    return value


def parse_gift(body: Any) -> GiftRequest:
    """A decoded JSON body → GiftRequest, or GiftError naming the first bad field."""
    if not isinstance(body, dict):
        raise GiftError("body: expected a JSON object {stream, sender, amount, ...}")
    amount = body.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise GiftError(f"amount: expected a positive number, got {amount!r}"[:120])
    if not math.isfinite(amount) or amount <= 0 or amount > 1_000_000:
        raise GiftError(f"amount: expected 0 < amount <= 1000000, got {amount!r}")
    extra = {k: v for k, v in body.items() if k not in ("stream", "sender", "amount")}
    return GiftRequest(_text(body, "stream"), _text(body, "sender"), amount, extra)


def parse_key(header: str | None) -> str:
    """The Idempotency-Key header: required, so a client retry can never double a gift."""
    if not header or len(header) > MAX_KEY or not header.isprintable():
        raise GiftError(f"Idempotency-Key header: required, printable, at most {MAX_KEY} chars")
    return header
