"""The --config file: Toxiproxy's JSON format, a list of {name, listen, upstream, enabled}."""

from __future__ import annotations

import json
from pathlib import Path

from chaos.proxy.errors import ApiError, ProxyError
from chaos.proxy.spec import ProxySpec, parse_proxy


def load_config(path: Path) -> list[ProxySpec]:
    """Parse the file; any problem is a ProxyError naming the file and what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProxyError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProxyError(f"{path}: invalid JSON: {exc}") from None
    if not isinstance(data, list):
        raise ProxyError(f"{path}: expected a JSON list of proxies, got {type(data).__name__}")
    try:
        specs = [parse_proxy(item, f"[{i}].") for i, item in enumerate(data)]
    except ApiError as exc:
        raise ProxyError(f"{path}: {exc.message}") from None
    names = [spec.name for spec in specs]
    if duplicates := sorted({n for n in names if names.count(n) > 1}):
        raise ProxyError(f"{path}: duplicate proxy name {duplicates[0]!r}")
    return specs
