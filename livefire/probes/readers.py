"""Probe kinds → readers, filled in one place; `read_once` turns any reading into a sample."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from livefire.base import secrets
from livefire.base.errors import ProbeFailed
from livefire.base.jsonpaths import find_first
from livefire.base.probe_samples import ProbeSample
from livefire.base.registry import Registry
from livefire.probes import command, prometheus
from livefire.probes.http import request
from livefire.scenario.probes import HttpProbe, ProbeSpec

Reader = Callable[[Any], float]
READERS: Registry[Reader] = Registry("probe kind")


def read_http(probe: HttpProbe) -> float:
    """The number at `json` in the response, or without it the response time in seconds;
    a status not in `status` has no value."""
    started = time.monotonic()
    response = request(probe, probe.url, probe.method)
    took = time.monotonic() - started
    if response.status_code not in probe.status:
        wanted = " or ".join(str(s) for s in probe.status)
        raise ProbeFailed(f"{probe.url}: HTTP {response.status_code} (expected {wanted})")
    if probe.json_path is None:
        return took
    try:
        found = find_first(probe.json_path, response.json())
    except ValueError:
        raise ProbeFailed(f"{probe.url}: the response is not JSON") from None
    if found is None:
        raise ProbeFailed(f"{probe.url}: nothing at {probe.json_path}")
    if isinstance(found, bool):
        return 1.0 if found else 0.0
    try:
        value = float(found)
    except (TypeError, ValueError):
        raise ProbeFailed(f"{probe.url}: {probe.json_path} is {found!r}, not a number") from None
    if not math.isfinite(value):
        raise ProbeFailed(f"{probe.url}: {probe.json_path} is {found!r} (no data)")
    return value


READERS.add("prometheus", prometheus.read)
READERS.add("http", read_http)
READERS.add("command", command.read)


def read_once(name: str, spec: ProbeSpec, tag: str = "") -> ProbeSample:
    """One reading of probe `name`, never raising: a failure is a sample without a value."""
    started, clock = time.time(), time.monotonic()
    try:
        value: float | None = READERS.get(spec.kind)(getattr(spec, spec.kind))
        error = ""
    except ProbeFailed as exc:
        value, error = None, secrets.redact(str(exc))
    except Exception as exc:  # a reader's bug must read as no data, not kill the sampler
        value, error = None, secrets.redact(f"{type(exc).__name__}: {exc}")[:300]
    return ProbeSample(name, started, value, error, round(time.monotonic() - clock, 4), tag)
