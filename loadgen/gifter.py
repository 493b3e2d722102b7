"""The gifter: sends gifts with idempotency keys, retries with the same key on a timeout or a
5xx, and journals every acknowledged and every indeterminate gift, so the run can be
reconciled against the platform's ledger afterwards.
"""

from __future__ import annotations

import random
import time
import uuid
from typing import Any

import gevent
import requests

from livefire.base import telemetry as tm
from loadgen.recorder import Recorder

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
    ) -> None:
        self.api = api.rstrip("/")
        self.stream, self.sender = stream, sender
        self.recorder, self.interval, self.timeout, self.rng = recorder, interval, timeout, rng
        self.request_event = request_event
        self.http = requests.Session()

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

    def _post(self, body: dict[str, Any], key: str, timeout: float) -> dict[str, Any] | None:
        started = time.time()
        error: Exception | None = None
        status, length, answer = 0, 0, None
        try:
            response = self.http.post(
                f"{self.api}/gifts", json=body, timeout=timeout, headers={"Idempotency-Key": key}
            )
            status, length = response.status_code, len(response.content)
            if status == 202:
                answer = dict(response.json())
            else:
                error = RuntimeError(f"HTTP {status}")
        except (requests.RequestException, ValueError) as exc:
            error = exc
        if self.request_event is not None:
            self.request_event.fire(
                request_type="POST",
                name="/gifts",
                response_time=(time.time() - started) * 1000,
                response_length=length,
                exception=error,
                context={},
            )
        return answer
