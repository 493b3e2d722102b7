"""What a proxy and a toxic are, parsed once from JSON into frozen types (no dicts downstream).

Pure functions: JSON values in, specs out, `ApiError` (400) naming the field when a value is
wrong. The same parsers serve the HTTP API, `/populate` and the `--config` file.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass
from typing import Any

from chaos.proxy.errors import ApiError, Err
from chaos.proxy.toxic import Toxic, toxic_class


class Stream(enum.IntEnum):
    """Direction of a toxic: upstream is client → server, downstream server → client."""

    UPSTREAM = 0
    DOWNSTREAM = 1

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class ProxySpec:
    """A proxy as the API shows it: where it listens, where it forwards, whether it runs."""

    name: str
    listen: str
    upstream: str
    enabled: bool = True


@dataclass(frozen=True)
class ToxicSpec:
    """A toxic attached to a proxy; replaced whole (new object) when updated."""

    name: str
    stream: Stream
    toxicity: float
    toxic: Toxic

    def to_json(self) -> dict[str, Any]:
        return {
            "attributes": self.toxic.attributes(),
            "name": self.name,
            "type": self.toxic.type_name,
            "stream": self.stream.label,
            "toxicity": self.toxicity,
        }


DEFAULT_LISTEN = "127.0.0.1:0"
MAX_DEPTH = 32
"""Deepest nesting a body may have (Toxiproxy's bodies nest 3 deep): deeper is refused, so a
crafted body cannot exhaust the stack anywhere it is walked or shown."""


def decode_json(raw: bytes | str) -> Any:
    """JSON text as Python values; ValueError (a one-line reason) when it is not plain JSON.

    Python's parser accepts NaN, Infinity and 1e999, which `json.dumps` then writes back as
    tokens no JSON client can read; they are refused here, as Go's decoder refuses them.
    """
    try:
        value = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    _check_depth(value)
    return value


def _no_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON number")


def _finite(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise ValueError(f"{token} is out of range for a JSON number")
    return value


def _check_depth(value: Any) -> None:
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
            pending.extend((child, depth + 1) for child in children)


def _field(body: dict[str, Any], key: str, kind: type, default: Any, where: str = "") -> Any:
    value = body.get(key)
    if value is None:  # absent or null: Go's decoder leaves the default in place too
        return default
    ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        ok, value = True, float(value)
    if not ok:
        detail = f"{where}{key}: expected {kind.__name__}, got {value!r}"
        raise ApiError(Err.BAD_REQUEST_BODY, detail)
    return value


def _given(body: dict[str, Any], key: str, default: Any) -> Any:
    value = body.get(key)
    return default if value is None else value


def _object(body: Any, where: str = "") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(Err.BAD_REQUEST_BODY, f"{where}expected a JSON object, got {body!r}")
    return body


def parse_proxy(body: Any, where: str = "") -> ProxySpec:
    """A new proxy from a create/populate body; `where` prefixes field names in errors."""
    body = _object(body, where)
    name = _field(body, "name", str, "", where)
    upstream = _field(body, "upstream", str, "", where)
    if not name:
        raise ApiError(Err.MISSING_FIELD, f"{where}name")
    if not upstream:
        raise ApiError(Err.MISSING_FIELD, f"{where}upstream")
    listen = _field(body, "listen", str, "", where) or DEFAULT_LISTEN
    enabled = _field(body, "enabled", bool, True, where)
    return ProxySpec(name=name, listen=listen, upstream=upstream, enabled=enabled)


def parse_proxy_update(body: Any, current: ProxySpec) -> ProxySpec:
    """An update body over the current proxy: absent fields keep their value."""
    body = _object(body)
    return ProxySpec(
        name=current.name,
        listen=_field(body, "listen", str, current.listen) or DEFAULT_LISTEN,
        upstream=_field(body, "upstream", str, current.upstream) or current.upstream,
        enabled=_field(body, "enabled", bool, current.enabled),
    )


def parse_stream(value: Any) -> Stream:
    """`upstream` or `downstream` in any case: Toxiproxy lowercases the stream."""
    if isinstance(value, str) and value.lower() in ("upstream", "downstream"):
        return Stream[value.upper()]
    raise ApiError(Err.INVALID_STREAM)


def parse_toxic(body: Any) -> ToxicSpec:
    """A new toxic: stream defaults to downstream, toxicity to 1, name to TYPE_STREAM."""
    body = _object(body)
    stream = parse_stream(_given(body, "stream", "downstream"))
    cls = toxic_class(body.get("type"))
    name = _field(body, "name", str, "") or f"{cls.type_name}_{stream.label}"
    toxicity = _field(body, "toxicity", float, 1.0)
    toxic = cls.from_attributes(_given(body, "attributes", {}))
    return ToxicSpec(name=name, stream=stream, toxicity=toxicity, toxic=toxic)


def parse_toxic_update(body: Any, current: ToxicSpec) -> ToxicSpec:
    """An update: attributes merge over the current ones; stream and type cannot change."""
    body = _object(body)
    toxicity = _field(body, "toxicity", float, current.toxicity)
    toxic = type(current.toxic).from_attributes(_given(body, "attributes", {}), current.toxic)
    return ToxicSpec(name=current.name, stream=current.stream, toxicity=toxicity, toxic=toxic)
