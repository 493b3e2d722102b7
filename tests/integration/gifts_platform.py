"""Starts the gift processes against one Redis cluster, and speaks their HTTP APIs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from livefire_stubs.redis_cluster import RedisCluster

from tests.integration.conftest import Components, Started, http, wait_for


@dataclass
class GiftsPlatform:
    components: Components
    cluster: RedisCluster
    payment: Started | None = None

    def start_payment(self, *args: str) -> Started:
        self.payment = self.components.start("gifts.payment", *args)
        return self.payment

    def start_api(self, *args: str) -> str:
        started = self.components.start(
            "gifts.api", "--sentinel", self.cluster.sentinel_arg(), *args
        )
        return str(started["url"])

    def start_worker(self, *args: str) -> Started:
        assert self.payment is not None
        flags = ["--sentinel", self.cluster.sentinel_arg(), "--payment-url", self.payment["url"]]
        return self.components.start("gifts.worker", *flags, *args)

    def set_payment_latency(self, ms: float) -> None:
        assert self.payment is not None
        assert http("POST", self.payment["url"] + "/admin/latency", {"ms": ms})[0] == 200


def gift(api: str, key: str | None = None, amount: float = 5, **extra: Any) -> tuple[int, Any]:
    body = {"stream": "s1", "sender": "alice", "amount": amount, **extra}
    return http("POST", api + "/gifts", body, {"Idempotency-Key": key or uuid.uuid4().hex})


def ledger(api: str) -> list[dict[str, Any]]:
    """Every ledger entry, following `next` pages."""
    entries: list[dict[str, Any]] = []
    url = api + "/ledger?limit=500"
    for _ in range(100):
        status, page = http("GET", url)
        assert status == 200, page
        entries += page["entries"]
        if page["next"] is None:
            return entries
        url = f"{api}/ledger?limit=500&after={page['next']}"
    raise AssertionError("ledger did not end within 100 pages")


def booked(api: str, key: str) -> int:
    return sum(1 for e in ledger(api) if e["idempotency_key"] == key)


def wait_status(api: str, gift_id: str, status: str, timeout: float = 10) -> dict[str, Any]:
    def check() -> Any:
        code, body = http("GET", f"{api}/gifts/{gift_id}")
        return body if code == 200 and body["status"] == status else None

    return wait_for(check, timeout, f"gift {gift_id} to be {status}")
