"""The one HTTP request a probe makes. Header values that are `env:`/`file:` references are
resolved here, just before the request, and never kept: a failure's reason is redacted and
names the URL and status, never a header."""

from __future__ import annotations

import warnings
from typing import Any

import requests
from urllib3.exceptions import InsecureRequestWarning

from livefire.base import secrets
from livefire.base.errors import ProbeFailed
from livefire.scenario.probes import HttpProbe, PrometheusProbe


def request(
    probe: HttpProbe | PrometheusProbe,
    url: str,
    method: str = "GET",
    params: dict[str, str] | None = None,
) -> requests.Response:
    """The response (any status); ProbeFailed when there is none within the timeout."""
    options: dict[str, Any] = {"timeout": probe.timeout, "params": params}
    tls = probe.tls
    if tls is not None:
        options["verify"] = (tls.ca or True) if tls.verify else False
        if tls.cert:
            options["cert"] = (tls.cert, tls.key) if tls.key else tls.cert
    try:
        headers = {name: secrets.resolve(value) for name, value in probe.headers.items()}
        with warnings.catch_warnings():  # tls.verify: false is said in the run's warnings
            warnings.simplefilter("ignore", InsecureRequestWarning)
            return requests.request(method, url, headers=headers, **options)
    except secrets.SecretMissing as exc:
        raise ProbeFailed(str(exc)) from None
    except requests.Timeout:
        raise ProbeFailed(f"{url}: no answer within {probe.timeout:g} s") from None
    except requests.RequestException as exc:
        reason = secrets.redact(f"{type(exc).__name__}: {exc}")
        raise ProbeFailed(f"{url}: unreachable ({reason[:300]})") from None
