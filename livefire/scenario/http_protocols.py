"""The gift and search protocol templates of `target.staging.protocols`, and what in them
livefire could not honour: a placeholder with nothing to fill it, a JSON path that does not
compile, a JSON body that is not JSON once filled, no success status, a ledger that does not
say where an entry's key and booking time are. Each is `(path, why)`, put on its line by the
loader, so a run never starts only to find out at the end that its gifts cannot be reconciled.

The models themselves live in `livefire.base.http_templates`, where the load generator reads
them too; the fields are documented there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from livefire.base import secrets
from livefire.base.connect import TemplateError, identifiers
from livefire.base.http_templates import (
    GIFT_NAMES,
    LEDGER_NAMES,
    SEARCH_NAMES,
    GiftTemplate,
    LedgerTemplate,
    SearchTemplate,
    fill,
)
from livefire.base.jsonpaths import JsonPathError, compiled

if TYPE_CHECKING:
    from livefire.scenario.protocols import Protocols

GiftProtocol = GiftTemplate
SearchProtocol = SearchTemplate


Path = tuple[str | int, ...]
Found = tuple[Path, str]
Absolute = Callable[[str], str]  # a header value with its file: path made absolute


def protocol_problems(protocols: Protocols, names: set[str], absolute: Absolute) -> list[Found]:
    """Every problem of the gift and search templates; `names` are the identity's template
    names (pool columns, user, token when there is a login)."""
    found: list[Found] = []
    for role in ("gifts", "search"):
        found.extend(_plugin_or_template(role, getattr(protocols, role)))
    if protocols.gifts is not None and protocols.gifts.plugin is None:
        found.extend(_gifts(protocols.gifts, names | set(GIFT_NAMES), absolute))
    if protocols.search is not None and protocols.search.plugin is None:
        found.extend(_search(protocols.search, names | set(SEARCH_NAMES), absolute))
    return [(("protocols", *path), why) for path, why in found]


def describe_protocols(protocols: Protocols) -> list[str]:
    """What `run --dry-run` shows of the gift and search templates (as written)."""
    lines = []
    gifts, search = protocols.gifts, protocols.search
    if gifts is not None:
        statuses = ", ".join(map(str, gifts.success))
        key = gifts.idempotency_header or "no idempotency header"
        lines.append(f"gifts protocol: {gifts.method} {gifts.url} ({gifts.content_type}, {key})")
        lines.append(f"    acknowledged by {statuses}")
        if gifts.ledger is not None:
            paging = f"next {gifts.ledger.next}" if gifts.ledger.next else "one page"
            lines.append(f"    ledger {gifts.ledger.url}: {gifts.ledger.items}, {paging}")
    if search is not None:
        queries = ", ".join(search.queries)
        lines.append(f"search protocol: {search.method} {search.url} (queries {queries})")
    return lines


def _plugin_or_template(role: str, spec: GiftTemplate | SearchTemplate | None) -> Iterator[Found]:
    """A plugin takes `options`, a template its fields: never both."""
    if spec is None:
        return
    fields = sorted(spec.model_fields_set - {"plugin", "options"})
    if spec.plugin is not None and fields:
        yield (
            (role, "plugin"),
            (f"a {role} plugin takes `options`, not template fields ({', '.join(fields)})"),
        )
    elif spec.plugin is None and spec.options:
        yield (role, "options"), "`options` are for a plugin: name one, or drop them"


def with_absolute_headers(protocols: Protocols, absolute: Absolute) -> Protocols:
    """`protocols` with the file: references of their headers made absolute."""
    update: dict[str, object] = {}
    gifts, search = protocols.gifts, protocols.search
    if gifts is not None:
        ledger = gifts.ledger
        if ledger is not None:
            ledger = ledger.model_copy(update={"headers": _absolute(ledger.headers, absolute)})
        update["gifts"] = gifts.model_copy(
            update={"headers": _absolute(gifts.headers, absolute), "ledger": ledger}
        )
    if search is not None:
        update["search"] = search.model_copy(
            update={"headers": _absolute(search.headers, absolute)}
        )
    return protocols.model_copy(update=update)


def _absolute(headers: Mapping[str, str], absolute: Absolute) -> dict[str, str]:
    return {name: absolute(value) for name, value in headers.items()}


def _gifts(gifts: GiftTemplate, names: set[str], absolute: Absolute) -> Iterator[Found]:
    at: Path = ("gifts",)
    yield from template_problems(gifts.url, (*at, "url"), names)
    if gifts.body is not None:
        yield from template_problems(gifts.body, (*at, "body"), names)
        if gifts.content_type == "json":
            yield from _json_body(gifts.body, (*at, "body"), names)
    yield from _headers(gifts.headers, (*at, "headers"), names, absolute)
    yield from _success(gifts.success, (*at, "success"))
    yield from _paths({"id": gifts.id}, at)
    if gifts.ledger is not None:
        yield from _ledger(gifts.ledger, (*at, "ledger"), absolute)


def _ledger(ledger: LedgerTemplate, at: Path, absolute: Absolute) -> Iterator[Found]:
    cursor = set(LEDGER_NAMES)
    yield from template_problems(ledger.url, (*at, "url"), cursor, reader="the ledger URL")
    if ledger.first_url is not None:
        yield from template_problems(ledger.first_url, (*at, "first_url"), cursor, "the ledger URL")
    if ledger.next is not None and "cursor" not in _names(ledger.url):
        yield (*at, "url"), "pages on by ${cursor}, but the URL has no ${cursor}"
    fields = {"items": ledger.items, "next": ledger.next}
    fields |= {"key": ledger.key, "applied_at": ledger.applied_at}
    yield from _paths(fields, at)
    for field, what in (("key", "the gift's idempotency key"), ("applied_at", "its booking")):
        if getattr(ledger, field) is None:
            yield (
                (*at,),
                f"no {field}: say where in each entry {what} is (a JSON path such as "
                f"$.{field}), or reconciliation cannot match gifts to entries",
            )
    yield from _headers(ledger.headers, (*at, "headers"), set(), absolute, "the ledger")


def _search(search: SearchTemplate, names: set[str], absolute: Absolute) -> Iterator[Found]:
    at: Path = ("search",)
    yield from template_problems(search.url, (*at, "url"), names)
    yield from _headers(search.headers, (*at, "headers"), names, absolute)
    if search.success is not None:
        yield from _success(search.success, (*at, "success"))
    yield from _paths({"results": search.results}, at)


def _names(template: str) -> list[str]:
    try:
        return identifiers(template)
    except TemplateError:
        return []


def template_problems(
    template: str, at: Path, names: set[str], reader: str = ""
) -> Iterator[Found]:
    """A template's problems: malformed, or naming what `names` lacks (`reader`: what the
    conductor reads it for, when no simulated user fills it)."""
    try:
        used = identifiers(template)
    except TemplateError as exc:
        yield at, str(exc)
        return
    for name in used:
        if name not in names:
            known = ", ".join(sorted(names)) or "none"
            who = f" ({reader} is read by the conductor, as no simulated user)" if reader else ""
            hint = " (a token needs identities.login)" if name == "token" else ""
            yield at, f"${{{name}}} is not known{hint}{who}; known names: {known}"


def _headers(
    headers: Mapping[str, str],
    at: Path,
    names: set[str],
    absolute: Absolute,
    reader: str = "",
) -> Iterator[Found]:
    for header, value in headers.items():
        if secrets.is_reference(value):
            why = secrets.check(absolute(value))
            if why:
                yield (*at, header), why
        else:
            yield from template_problems(value, (*at, header), names, reader)


def _json_body(body: str, at: Path, names: set[str]) -> Iterator[Found]:
    """A JSON body filled with sample values must parse (content_type: json): `amount` is a
    number, every other value a string, so a string placeholder left unquoted is caught."""
    try:
        sample = fill(body, {name: "1" if name == "amount" else "x" for name in names}, "json")
        json.loads(sample)
    except TemplateError:
        return  # said by _template
    except ValueError as exc:
        yield (
            at,
            (
                f'not JSON once filled ({exc}); quote string placeholders ("${{sender}}"), '
                "or say content_type: form"
            ),
        )


def _success(statuses: tuple[int, ...], at: Path) -> Iterator[Found]:
    if not statuses:
        yield at, "empty: give the HTTP statuses that mean success, e.g. [200, 201]"
    for index, status in enumerate(statuses):
        if not 100 <= status <= 599:
            yield (*at, index), f"{status} is not an HTTP status (expected 100 to 599)"


def _paths(fields: Mapping[str, str | None], at: Path) -> Iterator[Found]:
    for field, path in fields.items():
        if path is None:
            continue
        try:
            compiled(path)
        except JsonPathError as exc:
            yield (*at, field), str(exc)
