"""Who one simulated user is: its credential pool row, its name and (once logged in) its token,
and the headers each endpoint's settings make of them. Secret references are resolved here, in
the worker, at the moment of use."""

from __future__ import annotations

import csv
import threading
from functools import cache

from livefire.base import secrets
from livefire.base.connect import EndpointSettings, render


class Identity:
    """Template values for one simulated user: pool columns, `user`, and `token`."""

    def __init__(self, user: str, row: dict[str, str] | None = None) -> None:
        self.values: dict[str, str] = {**(row or {}), "user": user}

    @property
    def token(self) -> str | None:
        return self.values.get("token")

    def set_token(self, token: str) -> None:
        self.values["token"] = token

    def render(self, template: str) -> str:
        """A template with this identity's values; a secret reference resolved first."""
        return render(secrets.resolve(template), self.values)

    def headers(self, settings: EndpointSettings) -> dict[str, str]:
        """The headers one endpoint's settings ask for, rendered for this identity."""
        return {name: self.render(value) for name, value in settings.headers.items()}


_lock = threading.Lock()
_dealt: dict[str, int] = {}  # pool → rows dealt so far in this worker


@cache
def _pool(path: str) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def next_row(pool: str | None, worker: int = 0, workers: int = 1) -> dict[str, str] | None:
    """The next credential pool row for a user of worker `worker` of `workers`: the k-th user
    of each worker takes row k × workers + worker, so workers deal disjoint rows until the
    pool runs out, then reuse them round-robin (None: no pool, or an empty one)."""
    if not pool:
        return None
    with _lock:
        rows = _pool(pool)
        if not rows:
            return None
        k = _dealt.get(pool, 0)
        _dealt[pool] = k + 1
        return rows[(k * max(1, workers) + worker) % len(rows)]
