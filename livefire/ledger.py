"""Read the platform's gift ledger for reconciliation (the one adapter that does I/O for it).

`GET {gifts}/ledger?after=ENTRY&limit=N` → {"entries": [...], "next": ENTRY | null}.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import requests

from livefire.base.errors import SetupError

PAGE = 1000


def read_ledger(gifts_url: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    after: str | None = None
    for _ in range(10_000):  # bounded: 10M entries
        params: dict[str, Any] = {"limit": PAGE} | ({"after": after} if after else {})
        try:
            response = requests.get(
                f"{gifts_url.rstrip('/')}/ledger", params=params, timeout=timeout
            )
            response.raise_for_status()
            page = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise SetupError(f"cannot read the ledger at {gifts_url}: {exc}") from None
        entries.extend(page.get("entries", []))
        after = page.get("next")
        if not after:
            return entries
    return entries


def settled_ledger(
    gifts_url: str, acked_keys: Iterable[str], deadline_s: float
) -> list[dict[str, Any]]:
    """Wait (at most `deadline_s`) until every acknowledged gift is booked, then read it."""
    wanted = set(acked_keys)
    deadline = time.monotonic() + deadline_s
    while True:
        entries = read_ledger(gifts_url)
        booked = {str(e.get("idempotency_key")) for e in entries}
        if wanted <= booked or time.monotonic() >= deadline:
            return entries
        time.sleep(1.0)
