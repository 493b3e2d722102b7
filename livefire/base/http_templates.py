"""Gift and search protocols as templates: what a gifter and a searcher say over HTTP, and how
the conductor reads the gift ledger back, for a platform whose API is not the reference
platform's. Typed at the door (the scenario validates them) and read again by the load
generator from `LoadConfig.protocols`, so both sides share one definition.

A template fills `${name}` placeholders (`livefire.base.connect.render`). Each value is
escaped for where it lands, so a template only says where a value goes, never how to quote
it: URL-quoted in a URL, JSON-string-escaped in a JSON body (write `"${sender}"` for a string,
`${amount}` for a number), form-encoded in a form body, as is in a header.

With no template for a role, the reference platform's protocol (`REFERENCE_GIFTS`,
`REFERENCE_SEARCH`) is spoken, exactly as livefire always did.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote, quote_plus, urljoin

from pydantic import BaseModel, ConfigDict, Field

from livefire.base.connect import render

GIFT_NAMES = ("stream", "sender", "amount", "key")
"""Placeholders a gift template may use, besides the identity's (pool columns, user, token)."""
SEARCH_NAMES = ("query",)
"""Placeholders a search template may use, besides the identity's."""
LEDGER_NAMES = ("cursor",)
"""Placeholders a ledger URL may use: the conductor reads it as no simulated user."""

ContentType = Literal["json", "form"]
CONTENT_TYPES: dict[str, str] = {
    "json": "application/json",
    "form": "application/x-www-form-urlencoded",
}
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LedgerTemplate(_Model):
    """How to read the platform's ledger of applied gifts, page by page."""

    url: str  # template with ${cursor}; relative to the gifts endpoint or absolute
    first_url: str | None = None  # the first page's URL (default: `url`, ${cursor} empty)
    items: str  # JSON path to the page's list of entries, e.g. $.data.rows
    next: str | None = None  # JSON path to the next page's cursor; None: a single page
    key: str | None = None  # JSON path, within an entry, to the gift's idempotency key
    applied_at: str | None = None  # JSON path, within an entry, to when it was booked
    applied_at_format: Literal["epoch_s", "epoch_ms", "iso8601"] = "epoch_s"
    headers: dict[str, str] = Field(default_factory=dict)  # over the gifts endpoint's; refs


class GiftTemplate(_Model):
    """One gift as the platform's API takes it, and the ledger it is booked in."""

    plugin: str | None = None  # a `livefire.protocols` entry point instead of a template
    options: dict[str, Any] = Field(default_factory=dict)  # given to the plugin as they are
    method: Method = "POST"
    url: str = "/gifts"  # template; relative to the gifts endpoint or absolute
    content_type: ContentType = "json"
    body: str | None = '{"stream": "${stream}", "sender": "${sender}", "amount": ${amount}}'
    headers: dict[str, str] = Field(default_factory=dict)  # templates, env:/file: refs
    success: tuple[int, ...] = (200, 201, 202)  # statuses that acknowledge the gift
    idempotency_header: str | None = "Idempotency-Key"  # carries ${key}; None: not sent
    id: str | None = None  # JSON path to the gift's id in the answer (the answer is JSON)
    ledger: LedgerTemplate | None = None  # None: the reference platform's ledger


class SearchTemplate(_Model):
    """One search as the platform's discovery API takes it."""

    plugin: str | None = None  # a `livefire.protocols` entry point instead of a template
    options: dict[str, Any] = Field(default_factory=dict)  # given to the plugin as they are
    method: Literal["GET"] = "GET"  # searchers use the lean client, which sends GETs
    url: str = "/search?q=${query}"  # template; relative to the discovery endpoint or absolute
    queries: tuple[str, ...] = Field(default=("live",), min_length=1)  # rotated, per user
    headers: dict[str, str] = Field(default_factory=dict)  # templates, env:/file: refs
    success: tuple[int, ...] | None = None  # None: any complete 2xx or 3xx answer
    results: str | None = None  # JSON path that must match in a successful answer


REFERENCE_LEDGER = LedgerTemplate(
    url="/ledger?limit=1000&after=${cursor}",
    first_url="/ledger?limit=1000",
    items="$.entries",
    next="$.next",
    key="$.idempotency_key",
    applied_at="$.applied_at",
)
"""The reference platform's `GET /ledger?after=&limit=` → {"entries": [...], "next"}."""
REFERENCE_GIFTS = GiftTemplate(success=(202,), id="$.id", ledger=REFERENCE_LEDGER)
"""The reference platform's `POST /gifts`, acknowledged by a 202 only."""
REFERENCE_SEARCH = SearchTemplate()
"""The reference platform's `GET /search?q=live`."""


def gift_template(data: Mapping[str, object] | None) -> GiftTemplate:
    """The gift template `LoadConfig.protocols["gifts"]` carries, or the reference one."""
    return GiftTemplate.model_validate(data) if data else REFERENCE_GIFTS


def search_template(data: Mapping[str, object] | None) -> SearchTemplate:
    """The search template `LoadConfig.protocols["search"]` carries, or the reference one."""
    return SearchTemplate.model_validate(data) if data else REFERENCE_SEARCH


def ledger_of(gifts: GiftTemplate | None) -> LedgerTemplate:
    """The ledger a gift template books in (the reference one unless it says otherwise)."""
    return gifts.ledger if gifts is not None and gifts.ledger is not None else REFERENCE_LEDGER


Escape = Callable[[str], str]


def _json_string(value: str) -> str:
    return json.dumps(value)[1:-1]


ESCAPES: dict[str, Escape] = {
    "url": lambda v: quote(v, safe=""),
    "json": _json_string,
    "form": quote_plus,
    "raw": lambda v: v,
}


def fill(template: str, values: Mapping[str, str | None], escape: str = "raw") -> str:
    """`template` with each value escaped for where it lands (`ESCAPES`); TemplateError
    naming a placeholder with nothing to put in it."""
    how = ESCAPES[escape]
    filled = {name: how(value) for name, value in values.items() if value is not None}
    return render(template, filled)  # a None (a short CSV row) is missing, not "None"


def fill_url(base: str, template: str, values: Mapping[str, str | None]) -> str:
    """The absolute URL a template names: filled (values URL-quoted), then joined to the
    endpoint's base URL unless it is absolute already."""
    filled = fill(template, values, "url")
    if "://" in filled:
        return filled
    return urljoin(base.rstrip("/") + "/", filled.lstrip("/"))


def epoch_seconds(value: object, form: str) -> float:
    """A ledger entry's applied-at value as epoch seconds; ValueError saying what it is not."""
    if form == "iso8601":
        if not isinstance(value, str):
            raise ValueError(f"expected an ISO 8601 time, got {value!r}")
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)  # a time without a zone is UTC
        return stamp.timestamp()
    unit = "seconds" if form == "epoch_s" else "milliseconds"
    expected = f"expected a number of {unit} since the epoch, got {value!r}"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(expected)
    try:
        number = float(value)  # a numeric string too
    except ValueError:
        raise ValueError(expected) from None
    return number / 1000 if form == "epoch_ms" else number
