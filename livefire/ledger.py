"""Read the platform's gift ledger for reconciliation (the one adapter that does I/O for it).

The ledger's shape is the gift template's (`LedgerTemplate`; the reference platform's
`GET {gifts}/ledger?after=ENTRY&limit=N` → {"entries": [...], "next": ENTRY | null} when there
is none): pages are read by cursor until the next-cursor path gives none, and every entry is
normalised into what reconciliation reads, `idempotency_key` (a string) and `applied_at`
(epoch seconds), beside the entry's own fields.

It goes with the gifts endpoint's headers and TLS, its `env:`/`file:` secrets resolved here, in
the conductor (never written anywhere), and the ledger template's own headers over them. A
response that is not what the template says is a SetupError naming the URL and the field.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import requests

from livefire.base import jsonpaths, secrets
from livefire.base.connect import EndpointSettings, TemplateError, identifiers, render
from livefire.base.errors import SetupError
from livefire.base.http_templates import (
    REFERENCE_LEDGER,
    LedgerTemplate,
    epoch_seconds,
    fill_url,
    ledger_of,
)
from livefire.scenario.schema import StagingTarget
from loadgen import http_wires  # noqa: F401  (registers the gifts plugins' interface)
from loadgen.protocol_plugins import build_protocol

Fetch = Callable[[str, Mapping[str, Any]], Any]
MAX_PAGES = 10_000  # bounded: 10M entries at the reference platform's 1000 a page


def read_ledger(
    gifts_url: str,
    timeout: float = 5.0,
    ledger: LedgerTemplate = REFERENCE_LEDGER,
    settings: EndpointSettings | None = None,
    fetch: Fetch | None = None,
) -> list[dict[str, Any]]:
    """Every entry of the ledger, normalised; SetupError when it cannot be read. `fetch`
    (URL, requests' options → the page's JSON) is the transport: a plain function in tests."""
    settings = settings or EndpointSettings()
    options = _options(settings, ledger, timeout)
    fetch = fetch or _page
    entries: list[dict[str, Any]] = []
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        template = (
            ledger.url if cursor is not None or ledger.first_url is None else ledger.first_url
        )
        url = fill_url(gifts_url, template, {"cursor": cursor or ""})
        page = fetch(url, options)
        entries.extend(_entries(url, page, ledger))
        cursor = _cursor(url, page, ledger)
        if cursor is None:
            return entries
        if cursor in seen:
            raise SetupError(
                f"the ledger at {url} gave the cursor {cursor!r} again ({ledger.next})"
            )
        seen.add(cursor)
    return entries


def settled_ledger(
    gifts_url: str,
    acked_keys: Iterable[str],
    deadline_s: float,
    ledger: LedgerTemplate = REFERENCE_LEDGER,
    settings: EndpointSettings | None = None,
    read: Callable[[], list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Wait (at most `deadline_s`) until every acknowledged gift is booked, then read it
    (through `read` when a gifts plugin reads the ledger)."""
    wanted = set(acked_keys)
    deadline = time.monotonic() + deadline_s
    while True:
        if read is not None:
            entries = read()
        else:
            entries = read_ledger(gifts_url, ledger=ledger, settings=settings)
        booked = {str(e.get("idempotency_key")) for e in entries}
        if wanted <= booked or time.monotonic() >= deadline:
            return entries
        time.sleep(1.0)


def ledger_access(
    staging: StagingTarget | None,
) -> tuple[LedgerTemplate, EndpointSettings | None]:
    """The ledger template and the gifts endpoint's settings a target's ledger is read with
    (the reference ledger, no settings, on the embedded platform)."""
    if staging is None:
        return REFERENCE_LEDGER, None
    settings = EndpointSettings.from_json(staging.endpoints()["gifts"])
    return ledger_of(staging.protocols.gifts), settings


def plugin_ledger(
    staging: StagingTarget | None, gifts_url: str
) -> Callable[[], list[dict[str, Any]]] | None:
    """The ledger read by the target's gifts plugin (None without one): a plugin that fails
    or answers entries without `idempotency_key` and `applied_at` is a SetupError naming it."""
    gifts = staging.protocols.gifts if staging is not None else None
    if gifts is None or gifts.plugin is None:
        return None
    name = gifts.plugin
    assert staging is not None
    settings = EndpointSettings.from_json(staging.endpoints()["gifts"])
    wire = build_protocol(name, "gifts", gifts.options)

    def read() -> list[dict[str, Any]]:
        try:
            entries = list(wire.read_ledger(gifts_url, settings))
        except Exception as exc:  # a plugin fails in its own ways: say which, never a trace
            raise SetupError(
                f"gifts plugin '{name}' could not read the ledger: "
                f"{type(exc).__name__}: {secrets.redact(str(exc))}"
            ) from None
        for entry in entries:
            if not isinstance(entry, dict) or not {"idempotency_key", "applied_at"} <= set(entry):
                raise SetupError(
                    f"gifts plugin '{name}': a ledger entry without idempotency_key and "
                    f"applied_at: {str(entry)[:200]}"
                )
        return entries

    return read


def check_ledger_access(staging: StagingTarget) -> None:
    """Raise the SetupError reading the ledger would end in, before any load is sent: a
    header the conductor cannot fill, a secret it cannot resolve."""
    if staging.protocols.gifts is not None and staging.protocols.gifts.plugin is not None:
        return  # the plugin reads it with the endpoint's settings, as it sees fit
    template, settings = ledger_access(staging)
    _options(settings or EndpointSettings(), template, 5.0)


def _options(settings: EndpointSettings, ledger: LedgerTemplate, timeout: float) -> dict[str, Any]:
    """requests' keyword arguments: the endpoint's headers and TLS, the ledger's headers."""
    headers: dict[str, str] = {}
    for name, value in {**settings.headers, **ledger.headers}.items():
        try:
            used = [] if secrets.is_reference(value) else identifiers(value)
            if used:
                raise SetupError(
                    f"the ledger is read by the conductor, as no simulated user, but the "
                    f"gifts endpoint's header {name} names ${{{used[0]}}}: give "
                    f"protocols.gifts.ledger.headers.{name} (e.g. env:LEDGER_TOKEN)"
                )
            headers[name] = (
                render(secrets.resolve(value), {})
                if not secrets.is_reference(value)
                else secrets.resolve(value)
            )
        except (secrets.SecretMissing, TemplateError) as exc:
            raise SetupError(f"cannot read the ledger: header {name}: {exc}") from None
    tls = settings.tls
    options: dict[str, Any] = {
        "headers": headers,
        "timeout": settings.timeout or timeout,
        "verify": (tls.ca or True) if tls.verify else False,
    }
    if tls.cert:
        options["cert"] = (tls.cert, tls.key) if tls.key else tls.cert
    return options


def _page(url: str, options: Mapping[str, Any]) -> Any:
    try:
        response = requests.get(url, **options)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SetupError(f"cannot read the ledger at {url}: {secrets.redact(str(exc))}") from None


def _entries(url: str, page: Any, ledger: LedgerTemplate) -> list[dict[str, Any]]:
    """The page's entries, each with `idempotency_key` and `applied_at` (epoch seconds)."""
    found = jsonpaths.find_all(ledger.items, page)
    if not found:
        raise SetupError(f"the ledger at {url}: no {ledger.items} (items) in the response")
    items = found[0] if len(found) == 1 and isinstance(found[0], list) else found
    assert ledger.key is not None and ledger.applied_at is not None  # checked at validation
    entries = []
    for index, item in enumerate(items):
        where = f"the ledger at {url}: entry {index} of {ledger.items}"
        key = jsonpaths.find_first(ledger.key, item)
        if key is None or isinstance(key, dict | list):
            raise SetupError(f"{where}: no {ledger.key} (key) in {_short(item)}")
        applied = jsonpaths.find_first(ledger.applied_at, item)
        try:
            seconds = epoch_seconds(applied, ledger.applied_at_format)
        except ValueError as exc:
            raise SetupError(
                f"{where}: {ledger.applied_at} (applied_at, {ledger.applied_at_format}): {exc}"
            ) from None
        own = dict(item) if isinstance(item, dict) else {}
        entries.append({**own, "idempotency_key": str(key), "applied_at": seconds})
    return entries


def _cursor(url: str, page: Any, ledger: LedgerTemplate) -> str | None:
    if ledger.next is None:
        return None
    found = jsonpaths.find_first(ledger.next, page)
    if found is None or found == "":
        return None
    if isinstance(found, dict | list | bool):
        raise SetupError(f"the ledger at {url}: {ledger.next} (next) is {_short(found)}")
    return str(found)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
