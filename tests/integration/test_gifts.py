"""Gifts are accepted once per key, survive worker death and payment timeouts, are booked once."""

from __future__ import annotations

import signal
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from livefire_stubs.redis_cluster import RedisCluster

from tests.integration.conftest import Components, http, wait_for
from tests.integration.gifts_platform import GiftsPlatform, booked, gift, ledger, wait_status

pytestmark = pytest.mark.integration


@pytest.fixture
def platform(components: Components, shared_cluster: RedisCluster) -> Iterator[GiftsPlatform]:
    shared_cluster.primary.client().flushall()  # each test starts from an empty gift store
    yield GiftsPlatform(components, shared_cluster)


def test_gift_is_paid_and_booked_once_however_often_it_is_posted(platform: GiftsPlatform) -> None:
    platform.start_payment()
    api = platform.start_api()
    worker = platform.start_worker()
    status, first = gift(api, "key-1", amount=7, gift_type="rose")
    assert status == 202 and first["status"] == "queued" and not first["duplicate"]
    paid = wait_status(api, first["id"], "paid")
    assert paid["amount"] == 7 and paid["charge_id"] and paid["applied_at"] >= paid["created_at"]
    for _ in range(3):
        status, again = gift(api, "key-1", amount=7, gift_type="rose")
        assert (status, again["id"], again["duplicate"]) == (202, first["id"], True)
    time.sleep(0.5)
    [entry] = ledger(api)
    assert (entry["gift_id"], entry["idempotency_key"], entry["amount"]) == (
        first["id"],
        "key-1",
        7,
    )
    assert http("GET", api + f"/ledger?since={entry['applied_at'] + 1}")[1]["entries"] == []
    with urllib.request.urlopen(worker["url"] + "/metrics", timeout=5) as resp:
        worker_metrics = resp.read()
    assert b'gifts_processed_total{outcome="paid"} 1.0' in worker_metrics


BAD_POSTS = [
    (b"{not json", {"Idempotency-Key": "k"}, 400, "not valid JSON"),
    (b"[1]", {"Idempotency-Key": "k"}, 400, "JSON object"),
    (b'{"stream": "s", "sender": "a", "amount": 1}', {}, 400, "Idempotency-Key"),
    (b'{"stream": "s", "sender": "a", "amount": -1}', {"Idempotency-Key": "k"}, 400, "amount"),
    (b'{"stream": "s", "sender": "a", "amount": "5"}', {"Idempotency-Key": "k"}, 400, "amount"),
    (b'{"stream": "s", "sender": "a", "amount": true}', {"Idempotency-Key": "k"}, 400, "amount"),
    (b'{"sender": "a", "amount": 1}', {"Idempotency-Key": "k"}, 400, "stream"),
    (b'{"stream": "s", "sender": "", "amount": 1}', {"Idempotency-Key": "k"}, 400, "sender"),
]


def test_bad_requests_get_json_errors(platform: GiftsPlatform) -> None:
    api = platform.start_api()
    for body, headers, status, words in BAD_POSTS:
        got, error = http("POST", api + "/gifts", body, headers)
        assert (got, error["status"]) == (status, status), body
        assert words in error["error"], (body, error)
    assert gift(api, "reused", amount=1)[0] == 202
    got, error = gift(api, "reused", amount=2)
    assert got == 422 and "reused" in error["error"]
    assert http("GET", api + "/gifts/nope") == (404, {"error": "no gift 'nope'", "status": 404})
    for query in ("since=abc", "limit=-1", "after=DROP"):
        assert http("GET", f"{api}/ledger?{query}")[0] == 400, query
    assert http("DELETE", api + "/gifts")[0] == 405
    assert http("GET", api + "/healthz")[0] == 200


def test_gift_survives_a_killed_worker_and_is_booked_once(platform: GiftsPlatform) -> None:
    platform.start_payment("--latency-ms", "3000")
    api = platform.start_api()
    fast_retry = ("--payment-timeout", "0.5", "--payment-attempts", "1", "--claim-idle-ms", "1000")
    doomed = platform.start_worker(*fast_retry)
    status, accepted = gift(api, "survivor")
    assert status == 202
    wait_status(api, accepted["id"], "queued")
    wait_for(
        lambda: http("GET", f"{api}/gifts/{accepted['id']}")[1]["attempts"] >= 1,
        10,
        "the worker to take the gift",
    )
    platform.components.stop(doomed["process"], signal.SIGKILL)
    platform.set_payment_latency(0)
    assert http("GET", f"{api}/gifts/{accepted['id']}")[1]["status"] == "queued"

    platform.start_worker(*fast_retry)
    wait_status(api, accepted["id"], "paid", timeout=15)
    time.sleep(1.5)  # a second booking, if any, would land now
    assert booked(api, "survivor") == 1
    assert platform.payment is not None
    charges = http("GET", platform.payment["url"] + "/charges")[1]
    assert [c["key"] for c in charges["charges"]] == [f"gift-{accepted['id']}"]


def test_payment_timeout_keeps_gift_queued_until_it_is_paid(platform: GiftsPlatform) -> None:
    platform.start_payment("--latency-ms", "2000")
    api = platform.start_api()
    platform.start_worker(
        "--payment-timeout", "0.3", "--payment-attempts", "2", "--claim-idle-ms", "1500"
    )  # fmt: skip
    _, accepted = gift(api, "slow")
    queued = wait_for(
        lambda: (body := http("GET", f"{api}/gifts/{accepted['id']}")[1])["last_error"] and body,
        10,
        "a recorded payment timeout",
    )
    assert queued["status"] == "queued" and "unreachable" in queued["last_error"]
    platform.set_payment_latency(0)
    wait_status(api, accepted["id"], "paid", timeout=15)  # claimed again after 1.5 s idle
    assert booked(api, "slow") == 1


@pytest.mark.parametrize("sabotage", [False, True], ids=["control", "no-payment-retry"])
def test_no_payment_retry_drops_acknowledged_gifts_while_payments_time_out(
    platform: GiftsPlatform, sabotage: bool
) -> None:
    """Payments time out, then come back. A worker that retries keeps the gift queued and
    books it once a claim-idle redelivery finds payments answering; the sabotaged one marks
    it failed and drops it, so it is never booked however long redelivery is given."""
    platform.start_payment("--latency-ms", "2000")
    api = platform.start_api()
    flags = ("--sabotage", "no-payment-retry") if sabotage else ()
    platform.start_worker("--payment-timeout", "0.3", "--claim-idle-ms", "500", *flags)
    status, accepted = gift(api, "dropped")
    assert status == 202  # acknowledged to the gifter...

    def tried() -> Any:
        code, body = http("GET", f"{api}/gifts/{accepted['id']}")
        return body if code == 200 and "unreachable" in (body.get("last_error") or "") else None

    first = wait_for(tried, 10, "a payment attempt to time out")
    assert first["status"] == ("failed" if sabotage else "queued")
    platform.set_payment_latency(0)
    if sabotage:
        time.sleep(2.0)  # four claim-idle periods: any redelivery would have come by now
        assert booked(api, "dropped") == 0  # ...and never booked: reconciliation calls it lost
    else:
        wait_status(api, accepted["id"], "paid", timeout=10)
        assert booked(api, "dropped") == 1


@pytest.mark.parametrize("sabotage", [False, True], ids=["control", "no-idempotency"])
def test_no_idempotency_doubles_retried_and_redelivered_gifts(
    platform: GiftsPlatform, sabotage: bool
) -> None:
    flags = ("--sabotage", "no-idempotency") if sabotage else ()
    platform.start_payment()
    api = platform.start_api(*flags)
    platform.start_worker(*flags)
    ids = {gift(api, "retried")[1]["id"] for _ in range(2)}
    for gift_id in ids:
        wait_status(api, gift_id, "paid")
    assert booked(api, "retried") == (2 if sabotage else 1)

    _, once = gift(api, "redelivered")
    wait_status(api, once["id"], "paid")
    platform.cluster.primary.client().xadd("lf:gifts", {"gift_id": once["id"]})  # at-least-once
    time.sleep(1.5)
    assert booked(api, "redelivered") == (2 if sabotage else 1)


@pytest.mark.parametrize("sabotage", [False, True], ids=["control", "lossy-ledger"])
def test_lossy_ledger_loses_acknowledged_gifts(platform: GiftsPlatform, sabotage: bool) -> None:
    platform.start_payment()
    api = platform.start_api()
    platform.start_worker(*(("--sabotage", "lossy-ledger") if sabotage else ()))
    keys = [f"lossy-{uuid.uuid4().hex}" for _ in range(40)]
    ids = [gift(api, key)[1]["id"] for key in keys]
    for gift_id in ids:
        wait_status(api, gift_id, "paid")  # the API says paid either way
    in_ledger = {e["idempotency_key"] for e in ledger(api)}
    missing = [key for key in keys if key not in in_ledger]
    assert len(missing) == (2 if sabotage else 0)
