"""What a scenario's probes ask for that livefire could not honour, found at validation: a
condition naming no declared probe, a URL no client here speaks, an unset secret variable, a
TLS file that is not there, a JSON path that does not parse, a command not on PATH. Each is
`(path, why)`, placed on its line by the loader, so a probe never starts only to read "no data"
for a reason the scenario's author could have been told.

Relative paths (TLS files, `file:` references, a command given as a path) are relative to the
scenario's directory; `with_absolute_paths` rewrites them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from livefire.base import secrets
from livefire.base.connect import TemplateError, identifiers
from livefire.base.jsonpaths import JsonPathError, compiled
from livefire.base.registry import suggest
from livefire.scenario.probes import CommandProbe, HttpProbe, ProbeSpec, PrometheusProbe
from livefire.scenario.slos import PHASES, Slos
from livefire.scenario.staging_checks import _absolute as absolute
from livefire.scenario.staging_checks import _absolute_ref as absolute_ref

Found = tuple[tuple[str | int, ...], str]
Conditions = list[tuple[tuple[str | int, ...], str]]  # (path of the condition, probe name)


def probe_problems(
    probes: dict[str, ProbeSpec],
    steady_state: tuple[object, ...],
    guards: tuple[object, ...],
    slos: Slos,
    base: Path,
) -> list[Found]:
    """Every probe setting livefire cannot honour, and every condition naming no probe."""
    found: list[Found] = []
    for name, spec in probes.items():
        found.extend(((("probes", name, *path), why) for path, why in _spec(spec, base)))
    for path, probe in _conditions(steady_state, guards, slos):
        if probe not in probes:
            known = tuple(probes)
            hint = suggest(probe, known) if known else "; no probe is declared under probes:"
            found.append(((*path, "probe"), f"unknown probe '{probe}'{hint}"))
    return found


def _conditions(
    steady_state: tuple[object, ...], guards: tuple[object, ...], slos: Slos
) -> Conditions:
    out: Conditions = []
    out += [(("steady_state", i), str(getattr(c, "probe", ""))) for i, c in enumerate(steady_state)]
    out += [(("guards", i), str(g.probe)) for i, g in enumerate(guards) if hasattr(g, "probe")]
    out += [(("slos", "probes", i), c.probe) for i, c in enumerate(slos.probes)]
    for phase in PHASES:
        within = getattr(slos, phase)
        if within is not None:
            out += [((("slos", phase, "probes", i)), c.probe) for i, c in enumerate(within.probes)]
    return out


def _spec(spec: ProbeSpec, base: Path) -> Iterator[Found]:
    if spec.prometheus is not None:
        yield from (((("prometheus", *p)), w) for p, w in _http(spec.prometheus, base))
    if spec.http is not None:
        yield from (((("http", *p)), w) for p, w in _http(spec.http, base))
        if spec.http.json_path is not None:
            try:
                compiled(spec.http.json_path)
            except JsonPathError as exc:
                yield ("http", "json"), str(exc)
    if spec.command is not None:
        yield from (((("command", *p)), w) for p, w in _command(spec.command, base))


def _http(probe: PrometheusProbe | HttpProbe, base: Path) -> Iterator[Found]:
    parts = urlsplit(probe.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        what = f"{parts.scheme}://" if parts.scheme else "no scheme"
        yield (
            ("url",),
            f"{probe.url!r}: {what} is not supported here (expected an absolute http:// or "
            "https:// URL)",
        )
    for header, value in probe.headers.items():
        if secrets.is_reference(value):
            why = secrets.check(absolute_ref(value, base))
            if why:
                yield ("headers", header), why
            continue
        try:
            used = identifiers(value)
        except TemplateError as exc:
            yield ("headers", header), str(exc)
            continue
        if used:
            yield (
                ("headers", header),
                f"${{{used[0]}}}: a probe has no simulated user behind it, so no template "
                "names; use a literal value, env:NAME or file:PATH",
            )
    tls = probe.tls
    if tls is not None:
        for field in ("ca", "cert", "key"):
            file = getattr(tls, field)
            if file is not None and not Path(absolute(file, base) or "").is_file():
                yield ("tls", field), f"{file}: no such file"
        if tls.key is not None and tls.cert is None:
            yield ("tls", "key"), "a key without a cert: give the client certificate too"
        if tls.server_name is not None:
            yield (
                ("tls", "server_name"),
                "not supported for probes (they verify the URL's own host); put that name "
                "in the URL",
            )


def _command(probe: CommandProbe, base: Path) -> Iterator[Found]:
    program = probe.argv[0]
    if os.sep in program:
        path = Path(absolute(program, base) or "")
        if not path.is_file() or not os.access(path, os.X_OK):
            yield ("argv", 0), f"{program}: no such executable file"
    elif shutil.which(program) is None:
        yield ("argv", 0), f"{program}: not found on PATH"


def with_absolute_paths(probes: dict[str, ProbeSpec], base: Path) -> dict[str, ProbeSpec]:
    """`probes` with their relative file paths made absolute against `base`."""
    out = {}
    for name, spec in probes.items():
        update: dict[str, object] = {}
        for kind in ("prometheus", "http"):
            probe = getattr(spec, kind)
            if probe is None:
                continue
            headers = {k: absolute_ref(v, base) for k, v in probe.headers.items()}
            tls = probe.tls
            if tls is not None:
                tls = tls.model_copy(
                    update={k: absolute(getattr(tls, k), base) for k in ("ca", "cert", "key")}
                )
            update[kind] = probe.model_copy(update={"headers": headers, "tls": tls})
        if spec.command is not None and os.sep in spec.command.argv[0]:
            argv = (str(absolute(spec.command.argv[0], base)), *spec.command.argv[1:])
            update["command"] = spec.command.model_copy(update={"argv": argv})
        out[name] = spec.model_copy(update=update)
    return out


def unverified_probes(probes: dict[str, ProbeSpec]) -> list[str]:
    """Probes whose certificates are not checked (`tls.verify: false`), for the warnings."""
    return [
        name
        for name, spec in probes.items()
        for kind in (spec.prometheus, spec.http)
        if kind is not None and kind.tls is not None and not kind.tls.verify
    ]
