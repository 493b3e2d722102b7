"""An instant PromQL query (`GET /api/v1/query?query=...`): its value must be one number, so
the query must yield a scalar or exactly one series. No series is "no data" — a query that
should read 0 when nothing happened says so itself (`... or vector(0)`)."""

from __future__ import annotations

import math

from livefire.base.errors import ProbeFailed
from livefire.probes.http import request
from livefire.scenario.probes import PrometheusProbe


def read(probe: PrometheusProbe) -> float:
    url = probe.url.rstrip("/") + "/api/v1/query"
    response = request(probe, url, params={"query": probe.query})
    try:
        body = response.json()
    except ValueError:
        raise ProbeFailed(f"{url}: HTTP {response.status_code}, not a JSON answer") from None
    if response.status_code != 200 or body.get("status") != "success":
        why = body.get("error") if isinstance(body, dict) else None
        raise ProbeFailed(f"{url}: HTTP {response.status_code}: {why or 'query failed'}")
    return value_of(body.get("data") or {})


def value_of(data: dict[str, object]) -> float:
    """The one number of an instant query's `data` (vector or scalar)."""
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return _number(result[1])
    if kind == "vector" and isinstance(result, list):
        if not result:
            raise ProbeFailed("the query returned no series (no data)")
        if len(result) > 1:
            raise ProbeFailed(
                f"the query returned {len(result)} series; aggregate them to one (sum, max, ...)"
            )
        sample = result[0].get("value") if isinstance(result[0], dict) else None
        if isinstance(sample, list) and len(sample) == 2:
            return _number(sample[1])
    raise ProbeFailed(f"expected a vector of one series or a scalar, got {kind}")


def _number(text: object) -> float:
    try:
        value = float(str(text))
    except ValueError:
        raise ProbeFailed(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise ProbeFailed(f"the query's value is {text} (no data)")
    return value
