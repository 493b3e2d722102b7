"""The --config file: Toxiproxy's JSON format, a list of {name, listen, upstream, enabled}."""

from __future__ import annotations

from pathlib import Path

from chaos.proxy.address import check_listen
from chaos.proxy.errors import ApiError, Err, ProxyError
from chaos.proxy.spec import ProxySpec, decode_json, parse_proxy


def load_config(path: Path, allow_remote: bool = False) -> list[ProxySpec]:
    """Parse the file; any problem is a ProxyError naming the file and what is wrong.

    Listen addresses off loopback are refused unless `allow_remote`, like the API does.
    """
    try:
        data = decode_json(path.read_bytes())
    except OSError as exc:
        raise ProxyError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ProxyError(f"{path}: invalid JSON: {exc}") from None
    if not isinstance(data, list):
        raise ProxyError(f"{path}: expected a JSON list of proxies, got {type(data).__name__}")
    specs = [_entry(path, i, item, allow_remote) for i, item in enumerate(data)]
    names = [spec.name for spec in specs]
    if duplicates := sorted({n for n in names if names.count(n) > 1}):
        raise ProxyError(f"{path}: duplicate proxy name {duplicates[0]!r}")
    return specs


def _entry(path: Path, i: int, item: object, allow_remote: bool) -> ProxySpec:
    try:
        spec = parse_proxy(item, f"[{i}].")
    except ApiError as exc:
        raise ProxyError(f"{path}: {_problem(exc)}") from None
    if spec.enabled:
        try:
            check_listen(spec.listen, allow_remote)
        except ApiError as exc:
            raise ProxyError(f"{path}: [{i}].listen: {_problem(exc)}") from None
    return spec


def _problem(error: ApiError) -> str:
    """The API's message without its "bad request body" prefix, which means nothing here."""
    return error.detail if error.kind is Err.BAD_REQUEST_BODY else error.message
