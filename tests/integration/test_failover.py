"""Killing the Redis primary: chat and gifts come back through Sentinel, nothing acked is lost."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from livefire_stubs.redis_cluster import RedisCluster
from websockets.asyncio.client import connect

from tests.integration.conftest import Components, wait_for
from tests.integration.gifts_platform import GiftsPlatform, booked, gift, wait_status

pytestmark = pytest.mark.integration


def test_chat_delivers_across_nodes_again_after_primary_kill(
    components: Components, cluster: RedisCluster
) -> None:
    flags = ("--sentinel", cluster.sentinel_arg())
    url_a = components.start("chat", "--name", "chat-a", *flags)["ws_url"]
    url_b = components.start("chat", "--name", "chat-b", *flags)["ws_url"]

    async def scenario() -> float:
        async with connect(url_a) as alice, connect(url_b) as bob:
            for ws, user in ((alice, "alice"), (bob, "bob")):
                await ws.send(json.dumps({"type": "join", "room": "r", "user": user}))
                await asyncio.wait_for(ws.recv(), 5)
            killed_at = time.monotonic()
            cluster.kill("primary")
            for n in range(60):  # one message every 0.25 s for at most 15 s
                frame = {"type": "msg", "id": str(n), "room": "r", "sender": "alice"}
                await alice.send(json.dumps(frame | {"sent_at": time.time()}))
                try:
                    got = json.loads(await asyncio.wait_for(bob.recv(), 0.25))
                except TimeoutError:
                    continue
                if got["type"] == "msg":
                    return time.monotonic() - killed_at
            raise AssertionError("chat never recovered from the primary kill")

    recovered_after = asyncio.run(scenario())
    assert recovered_after < 12


def test_acknowledged_gifts_survive_primary_kill_and_are_booked_once(
    components: Components, cluster: RedisCluster
) -> None:
    platform = GiftsPlatform(components, cluster)
    platform.start_payment()
    api = platform.start_api()
    platform.start_worker("--claim-idle-ms", "2000")

    def post_until_acked(key: str) -> str:
        """A client retrying with the same key, as the API's idempotency asks."""
        _, body = wait_for(lambda: (r := gift(api, key))[0] == 202 and r, 15, f"202 {key}")
        return str(body["id"])

    before = {f"before-{n}": post_until_acked(f"before-{n}") for n in range(5)}
    cluster.kill("primary")  # right after the 202s: replication must already hold them
    after = {f"after-{n}": post_until_acked(f"after-{n}") for n in range(3)}
    for gift_id in [*before.values(), *after.values()]:
        wait_status(api, gift_id, "paid", timeout=20)
    time.sleep(1)
    assert {key: booked(api, key) for key in [*before, *after]} == dict.fromkeys(
        [*before, *after], 1
    )


def test_gift_is_not_acknowledged_until_the_replica_holds_it(
    components: Components, cluster: RedisCluster
) -> None:
    platform = GiftsPlatform(components, cluster)
    platform.start_payment()
    api = platform.start_api()
    platform.start_worker()
    cluster.freeze("replica")  # attached but silent: the gift cannot be made durable
    try:
        status, error = gift(api, "durable")
        assert status == 503 and "same Idempotency-Key" in error["error"]
    finally:
        cluster.thaw("replica")
    status, accepted = wait_for(lambda: (r := gift(api, "durable"))[0] == 202 and r, 10, "202")
    wait_status(api, accepted["id"], "paid")
    assert booked(api, "durable") == 1
