"""What a staging target asks for that livefire could not honour, found at validation: a URL
scheme no client speaks, a CA or key file that is not there, an unset secret variable, a
template naming a column the credential pool does not have. Each is `(path, why)`, placed on
its line by the loader, so a run never starts only to end in "no data".

Relative file paths (TLS files, the pool, `file:` references) are relative to the scenario's
own directory; `with_absolute_paths` rewrites them so workers find them wherever they run.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from livefire.base import secrets
from livefire.base.connect import IDENTITY_NAMES
from livefire.base.jsonpaths import JsonPathError, compiled
from livefire.scenario.connect import EndpointSpec, IdentitiesSpec, TlsSpec
from livefire.scenario.http_protocols import (
    describe_protocols,
    protocol_problems,
    template_problems,
    with_absolute_headers,
)
from livefire.scenario.protocols import Protocols
from livefire.scenario.schema import StagingTarget
from loadgen import chat_wire, http_wires  # noqa: F401  (register the plugins' interfaces)
from loadgen.protocol_plugins import ProtocolPluginError, load_protocol

Found = tuple[tuple[str | int, ...], str]

HTTP = ("http", "https")
SCHEMES = {
    "router": HTTP,
    "gifts": HTTP,
    "discovery": HTTP,
    "origin": HTTP,
}
WHERE = ("target", "staging")


def staging_problems(staging: StagingTarget, base: Path) -> list[Found]:
    """Every setting of `staging` livefire cannot honour here, with its path in the YAML."""
    found = list(_urls(staging))
    columns, pool_problems = _pool_columns(staging.identities, base)
    found.extend(pool_problems)
    names = {*columns, "user"} | ({"token"} if _has_login(staging.identities) else set())
    for endpoint, spec in staging.connect.items():
        found.extend(_endpoint(spec, ("connect", endpoint), names, base))
    if staging.identities is not None and staging.identities.login is not None:
        login = staging.identities.login
        at = ("identities", "login")
        before_login = names - {"token"}
        found.extend(template_problems(login.url, (*at, "url"), before_login))
        if login.body is not None:
            found.extend(template_problems(login.body, (*at, "body"), before_login))
        for header, value in login.headers.items():
            found.extend(_value(value, (*at, "headers", header), before_login, base))
        try:
            compiled(login.token)
        except JsonPathError as exc:
            found.append(((*at, "token"), str(exc)))
    found.extend(_chat_protocol(staging.protocols, names))
    found.extend(protocol_problems(staging.protocols, names, lambda v: _absolute_ref(v, base)))
    return [((*WHERE, *path), why) for path, why in found]


def with_absolute_paths(staging: StagingTarget, base: Path) -> StagingTarget:
    """`staging` with its relative file paths made absolute against `base`."""

    def tls(spec: TlsSpec | None) -> TlsSpec | None:
        if spec is None:
            return None
        return spec.model_copy(
            update={k: _absolute(getattr(spec, k), base) for k in ("ca", "cert", "key")}
        )

    def endpoint(spec: EndpointSpec) -> EndpointSpec:
        headers = {k: _absolute_ref(v, base) for k, v in spec.headers.items()}
        return spec.model_copy(update={"headers": headers, "tls": tls(spec.tls)})

    connect = {name: endpoint(spec) for name, spec in staging.connect.items()}
    identities = staging.identities
    if identities is not None:
        login = identities.login
        if login is not None:
            headers = {k: _absolute_ref(v, base) for k, v in login.headers.items()}
            login = login.model_copy(update={"headers": headers})
        identities = identities.model_copy(
            update={"pool": _absolute(identities.pool, base), "login": login}
        )
    protocols = with_absolute_headers(staging.protocols, lambda v: _absolute_ref(v, base))
    return staging.model_copy(
        update={"connect": connect, "identities": identities, "protocols": protocols}
    )


def pool_rows(staging: StagingTarget) -> int | None:
    """Rows in the credential pool (after `with_absolute_paths`), or None without one."""
    pool = staging.identities.pool if staging.identities else None
    if pool is None:
        return None
    with open(pool, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def unverified(staging: StagingTarget) -> list[str]:
    """Endpoints whose certificates are not checked (`tls.verify: false`), for the summary."""
    default = staging.connect.get("default")
    names = []
    for name in ("hls", "router", "chat", "gifts", "discovery", "origin", "login"):
        spec = staging.connect.get(name)
        tls = (spec.tls if spec else None) or (default.tls if default else None)
        if tls is not None and not tls.verify:
            names.append(name)
    return names


def _urls(staging: StagingTarget) -> Iterator[Found]:
    if isinstance(staging.hls, str):
        yield from _scheme(staging.hls, ("hls",), HTTP)
    elif staging.hls:
        for index, stream in enumerate(staging.hls):
            yield from _scheme(stream.url, ("hls", index, "url"), HTTP)
    for field, schemes in SCHEMES.items():
        url = getattr(staging, field)
        if url:
            yield from _scheme(url, (field,), schemes)
    for index, url in enumerate(staging.chat):
        yield from _scheme(url, ("chat", index), ("ws", "wss"))


def _chat_protocol(protocols: Protocols, names: set[str]) -> Iterator[Found]:
    """The chat template names only what it has; each plugin loads and fits its role."""
    chat = protocols.chat
    if chat is not None and chat.plugin is None:
        for at, template, extra in chat.templates():
            yield from template_problems(template, ("protocols", "chat", *at), names | extra)
    for role in ("chat", "gifts", "search"):
        plugin = getattr(getattr(protocols, role), "plugin", None)
        if plugin is not None:
            try:
                load_protocol(plugin, role)
            except ProtocolPluginError as exc:
                yield ("protocols", role, "plugin"), str(exc)


def _scheme(url: str, path: tuple[str | int, ...], schemes: tuple[str, ...]) -> Iterator[Found]:
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        wanted = " or ".join(f"{s}://" for s in schemes)
        what = f"{parts.scheme}://" if parts.scheme else "no scheme"
        yield path, f"{url!r}: {what} is not supported here (expected an absolute {wanted} URL)"


def _pool_columns(identities: IdentitiesSpec | None, base: Path) -> tuple[set[str], list[Found]]:
    if identities is None or identities.pool is None:
        return set(), []
    path = Path(_absolute(identities.pool, base) or "")
    where = ("identities", "pool")
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return set(), [(where, f"cannot read the credential pool {path}: {exc}")]
    if not header:
        return set(), [(where, f"{path}: empty; expected a header row naming the columns")]
    reserved = sorted(set(header) & set(IDENTITY_NAMES))
    if reserved:
        return set(header), [
            (
                where,
                f"{path}: column {reserved[0]!r} is reserved (a name "
                "every identity has); rename it",
            )
        ]
    return set(header), []


def _has_login(identities: IdentitiesSpec | None) -> bool:
    return identities is not None and identities.login is not None


def _endpoint(
    spec: EndpointSpec, at: tuple[str | int, ...], names: set[str], base: Path
) -> Iterator[Found]:
    for header, value in spec.headers.items():
        yield from _value(value, (*at, "headers", header), names, base)
    if spec.tls is not None:
        for field in ("ca", "cert", "key"):
            file = getattr(spec.tls, field)
            if file is not None and not Path(_absolute(file, base) or "").is_file():
                yield (*at, "tls", field), f"{file}: no such file"
        if spec.tls.key is not None and spec.tls.cert is None:
            yield (*at, "tls", "key"), "a key without a cert: give the client certificate too"


def _value(value: str, at: tuple[str | int, ...], names: set[str], base: Path) -> Iterator[Found]:
    if secrets.is_reference(value):
        why = secrets.check(_absolute_ref(value, base))
        if why:
            yield at, why
        return
    yield from template_problems(value, at, names)


def _absolute(path: str | None, base: Path) -> str | None:
    if path is None:
        return None
    given = Path(path).expanduser()
    return str(given if given.is_absolute() else (base / given).resolve())


def _absolute_ref(value: str, base: Path) -> str:
    if value.startswith(secrets.FILE):
        return secrets.FILE + str(_absolute(value[len(secrets.FILE) :], base))
    return value


def describe_staging(staging: StagingTarget) -> list[str]:
    """What `run --dry-run` shows of a staging target: each endpoint's URL and settings, with
    header values as written (references and templates, never a resolved secret)."""
    urls: dict[str, list[str]] = {
        "hls": [s.url for s in staging.hls_streams()],
        "router": [staging.router] if staging.router else [],
        "chat": list(staging.chat),
        "gifts": [staging.gifts] if staging.gifts else [],
        "discovery": [staging.discovery] if staging.discovery else [],
        "origin": [staging.origin] if staging.origin else [],
    }
    if staging.identities and staging.identities.login:
        urls["login"] = [staging.identities.login.url]
    endpoints = staging.endpoints()
    lines = []
    for name, found in urls.items():
        if not found:
            continue
        settings = endpoints[name]
        tls = settings["tls"]
        how = "TLS NOT VERIFIED" if not tls["verify"] else f"CA {tls['ca'] or 'system store'}"
        if tls["cert"]:
            how += f", client cert {tls['cert']}"
        headers = ", ".join(f"{k}: {v}" for k, v in settings["headers"].items()) or "none"
        timeout = f"{settings['timeout']:g}s" if settings["timeout"] else "default"
        lines.append(f"{name}: {', '.join(found)}")
        lines.append(f"    headers {headers}; {how}; timeout {timeout}")
    if staging.identities and staging.identities.pool:
        lines.append(f"identities: {pool_rows(staging)} row(s) in {staging.identities.pool}")
    return lines + _describe_chat(staging.protocols) + describe_protocols(staging.protocols)


def _describe_chat(protocols: Protocols) -> list[str]:
    """The chat protocol as written (templates, never values)."""
    chat = protocols.chat
    if chat is None:
        return []
    if chat.plugin is not None:
        return [
            f"chat protocol: plugin {chat.plugin} (options: {', '.join(chat.options) or 'none'})"
        ]
    said = [f"path {chat.path}"] if chat.path else []
    said += [f"{len(chat.on_connect)} frame(s) on connect"] if chat.on_connect else []
    said += ["join frame"] if chat.join else []
    said += [f"joined when /{chat.joined}/"] if chat.joined else []
    said += [f"{len(chat.replies)} repl(ies)"] if chat.replies else []
    said.append(f"send {chat.send}")
    return [f"chat protocol: {chat.format} template; {'; '.join(said)}"]
