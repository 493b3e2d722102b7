"""The gifter: sends gifts with idempotency keys, retries with the same key on a timeout or a
5xx, and journals every acknowledged and every indeterminate gift, so the run can be
reconciled against the platform's ledger afterwards.

What a gift looks like on the wire is the scenario's gift template (`GiftTemplate`; the
reference platform's `POST /gifts` when there is none), filled per gift; it goes out with the
gifts endpoint's per-user settings (headers, cookies, TLS, timeout, login), so a platform that
wants its users authenticated gets them authenticated.
"""

from __future__ import annotations

import random
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import gevent
import requests

from livefire.base import jsonpaths, secrets
from livefire.base import telemetry as tm
from livefire.base.connect import TemplateError
from livefire.base.http_templates import (
    CONTENT_TYPES,
    REFERENCE_GIFTS,
    GiftTemplate,
    fill,
    fill_url,
)
from loadgen.http_wires import GiftCall, GiftWire
from loadgen.recorder import Recorder
from loadgen.user_http import UserHttp

RETRY_S = 0.2


class GiftSession:
    def __init__(
        self,
        api: str,
        stream: str,
        sender: str,
        recorder: Recorder,
        interval: float,
        timeout: float,
        rng: random.Random,
        request_event: Any | None = None,
        user: UserHttp | None = None,
        template: GiftTemplate = REFERENCE_GIFTS,
        wire: GiftWire | None = None,
    ) -> None:
        self.api = api.rstrip("/")
        self.stream, self.sender = stream, sender
        self.recorder, self.interval, self.timeout, self.rng = recorder, interval, timeout, rng
        self.request_event = request_event
        self.user, self.template, self.wire = user, template, wire
        self.name = urlsplit(template.url).path or template.url  # Locust's statistics row
        if wire is not None:
            self.name = f"gifts plugin {template.plugin}"
        # its cookies are the user's (and `cookies: false` keeps none)
        self.http = user.session() if user is not None else requests.Session()

    def run_forever(self) -> None:
        while True:
            delay = self.rng.uniform(0.5, 1.5) * self.interval
            intended = time.time() + delay
            gevent.sleep(delay)
            now = time.time()  # how late the timer fired is the generator's own lag
            self.recorder.observe(tm.SCHEDULE_LAG, max(0.0, now - intended), at=now)
            self.send_one()

    def send_one(self) -> dict[str, Any]:
        """One gift, retried with its key until acknowledged or `timeout` passed."""
        key, first = uuid.uuid4().hex, time.time()
        body = {"stream": self.stream, "sender": self.sender, "amount": self.rng.randint(1, 500)}
        self.recorder.count(tm.GIFTS_ATTEMPTED, at=first)
        with self.recorder.in_flight(first, first + self.timeout + 1.0):
            return self._until_acked(key, first, body)

    def _until_acked(self, key: str, first: float, body: dict[str, Any]) -> dict[str, Any]:
        attempts = 0
        while (left := first + self.timeout - time.time()) > 0:
            attempts += 1
            answer = self._post(body, key, left)
            if answer is not None:
                acked = time.time()
                self.recorder.count(tm.GIFTS_ACKED, at=first)
                self.recorder.observe(tm.GIFT_LATENCY, acked - first, at=first)
                entry = {
                    "kind": "gift",
                    "state": "acked",
                    "key": key,
                    "id": answer.get("id"),
                    "sent": first,
                    "acked": acked,
                    "attempts": attempts,
                    **body,
                }
                self.recorder.record(entry)
                return entry
            gevent.sleep(min(RETRY_S, max(0.0, first + self.timeout - time.time())))
        self.recorder.count(tm.GIFTS_INDETERMINATE, at=first)
        entry = {
            "kind": "gift",
            "state": "indeterminate",
            "key": key,
            "sent": first,
            "attempts": attempts,
            **body,
        }
        self.recorder.record(entry)
        return entry

    def _post(self, gift: dict[str, Any], key: str, timeout: float) -> dict[str, Any] | None:
        """One attempt: the answer (its JSON, or {} without an id path) when the status is
        one of the template's successes, else None (the caller retries with the same key)."""
        started = time.time()
        error: Exception | None = None
        status, length, answer = 0, 0, None
        if self.wire is not None:  # a plugin speaks the platform's API
            try:
                answer = self.wire.post(GiftCall(self.api, gift, key, timeout, self.user))
                if answer is None:
                    error = RuntimeError("not acknowledged")
            except Exception as exc:  # a plugin fails in its own ways: a failed attempt
                error = RuntimeError(secrets.redact(f"{type(exc).__name__}: {exc}"))
        else:
            try:
                response = self._send(gift, key, timeout)
                status, length = response.status_code, len(response.content)
                if status in self.template.success:
                    answer = self._answer(response)
                else:
                    error = RuntimeError(f"HTTP {status}")
                    if status == 401 and self.user is not None:
                        self.user.unauthorized()  # the next attempt logs in again, same key
            except (requests.RequestException, ValueError, TemplateError) as exc:
                error = RuntimeError(secrets.redact(str(exc)))  # Locust's failure table: a file
        if self.request_event is not None:
            self.request_event.fire(
                request_type=self.template.method,
                name=self.name,
                response_time=(time.time() - started) * 1000,
                response_length=length,
                exception=error,
                context={},
            )
        return answer

    def _send(self, gift: dict[str, Any], key: str, timeout: float) -> requests.Response:
        """The gift as the template says, with the gifts endpoint's settings for this user."""
        template, user = self.template, self.user
        if user is not None:
            user.ensure_login()  # the token a template may name
        values = {**(user.identity.values if user else {}), "user": self.sender}
        values |= {name: str(value) for name, value in gift.items()} | {"key": key}
        url = fill_url(self.api, template.url, values)
        options: dict[str, Any] = user.requests_options("gifts", url) if user else {}
        headers: dict[str, str] = options.pop("headers", {})
        if template.body is not None:
            headers["Content-Type"] = CONTENT_TYPES[template.content_type]
        headers |= {k: fill(secrets.resolve(v), values) for k, v in template.headers.items()}
        if template.idempotency_header:
            headers[template.idempotency_header] = key
        body = fill(template.body, values, template.content_type) if template.body else None
        timeout = min(timeout, options.pop("timeout", timeout))
        response = self.http.request(
            template.method,
            url,
            data=body.encode() if body is not None else None,
            headers=headers,
            timeout=timeout,
            **options,
        )
        if user is not None:
            user.remember_response("gifts", url, response)
        return response

    def _answer(self, response: requests.Response) -> dict[str, Any]:
        """What the journal keeps of a success: the gift's id when the template says where;
        ValueError (a failed attempt) when it says so and the answer is not JSON."""
        if self.template.id is None:
            return {}
        found = jsonpaths.find_first(self.template.id, response.json())
        return {"id": found}
