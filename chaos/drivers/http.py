"""HTTP driver: call a webhook to inject a fault and another to revert it.

For platforms whose own chaos API (or a runbook automation) does the breaking. Every call is
bounded by `timeout_s` and retried `attempts` times on connection errors and 5xx; any 2xx is
success. Header values written `env:NAME` are read from the environment when the call is
made, so tokens never reach the journal.
"""

from __future__ import annotations

import os
import time
from typing import Any

import requests

from chaos.model import DRIVERS
from livefire.base.errors import FaultError

RETRY_PAUSE_S = 0.2


def _headers(headers: dict[str, str]) -> dict[str, str]:
    out = {}
    for key, value in headers.items():
        if value.startswith("env:"):
            name = value[4:]
            if name not in os.environ:
                raise FaultError(f"header {key}: environment variable {name} is not set")
            value = os.environ[name]
        out[key] = value
    return out


def call(request: dict[str, Any], timeout: float, attempts: int) -> None:
    """Make one webhook call (method, url, json, headers) with bounded retries."""
    method, url = request.get("method", "POST"), request["url"]
    headers = _headers(dict(request.get("headers") or {}))
    last = ""
    for attempt in range(attempts):
        if attempt:
            time.sleep(RETRY_PAUSE_S)
        try:
            response = requests.request(
                method, url, json=request.get("json"), headers=headers, timeout=timeout
            )
        except requests.RequestException as exc:
            last = str(exc)
            continue
        if 200 <= response.status_code < 300:
            return
        last = f"HTTP {response.status_code}: {response.text[:200]}"
        if response.status_code < 500:
            break  # the webhook refused the request: asking again changes nothing
    raise FaultError(f"{method} {url} failed after {attempt + 1} attempt(s): {last}")


class Webhook:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.inject_call: dict[str, Any] = dict(spec["inject"])
        self.revert_call: dict[str, Any] | None = spec.get("revert")
        self.timeout: float = float(spec.get("timeout_s", 5.0))
        self.attempts: int = int(spec.get("attempts", 3))

    def inject(self) -> None:
        call(self.inject_call, self.timeout, self.attempts)

    def revert(self) -> None:
        if self.revert_call:
            call(self.revert_call, self.timeout, self.attempts)

    def spec(self) -> dict[str, Any]:
        return {
            "driver": "http",
            "inject": self.inject_call,
            "revert": self.revert_call,
            "timeout_s": self.timeout,
            "attempts": self.attempts,
        }


DRIVERS.add("http", Webhook)
