"""Two chat nodes share rooms through Redis pub/sub; bad frames get error frames."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from typing import Any

import pytest
from livefire_stubs.redis_cluster import RedisCluster
from websockets.asyncio.client import ClientConnection, connect

from tests.integration.conftest import Components

pytestmark = pytest.mark.integration


async def recv(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def recv_type(ws: ClientConnection, kind: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        frame = await recv(ws, max(0.01, deadline - time.monotonic()))
        if frame["type"] == kind:
            return frame


async def join(url: str, room: str, user: str) -> ClientConnection:
    ws = await connect(url)
    await ws.send(json.dumps({"type": "join", "room": room, "user": user}))
    assert (await recv(ws))["type"] == "joined"
    return ws


def msg(msg_id: str, room: str, sender: str) -> str:
    frame = {"type": "msg", "id": msg_id, "room": room, "sender": sender, "sent_at": time.time()}
    return json.dumps(frame)


def two_nodes(components: Components, cluster: RedisCluster) -> list[str]:
    nodes = [
        components.start("chat", "--name", name, "--sentinel", cluster.sentinel_arg())
        for name in ("chat-a", "chat-b")
    ]
    for node in nodes:
        with urllib.request.urlopen(node["url"] + "/healthz", timeout=5) as resp:
            assert resp.status == 200
    return [nodes[0]["ws_url"], nodes[1]["ws_url"], nodes[0]["url"] + "/metrics"]


def test_members_on_two_nodes_see_each_other(
    components: Components, shared_cluster: RedisCluster
) -> None:
    url_a, url_b, metrics_url = two_nodes(components, shared_cluster)

    async def scenario() -> None:
        alice = await join(url_a, "stream-1", "alice")
        bob = await join(url_b, "stream-1", "bob")
        other = await join(url_b, "stream-2", "carol")
        await alice.send(msg("m1", "stream-1", "alice"))
        got = await recv_type(bob, "msg")
        assert (got["id"], got["room"], got["sender"], got["node"]) == (
            "m1",
            "stream-1",
            "alice",
            "chat-a",
        )
        assert got["server_at"] >= got["sent_at"] - 1
        assert (await recv_type(alice, "msg"))["id"] == "m1"  # the sender's echo
        await bob.send(msg("m2", "stream-1", "bob"))
        assert (await recv_type(alice, "msg"))["id"] == "m2"
        with pytest.raises(TimeoutError):
            await recv(other, timeout=0.5)  # another room hears nothing
        for ws in (alice, bob, other):
            await ws.close()

    asyncio.run(scenario())
    with urllib.request.urlopen(metrics_url, timeout=5) as resp:
        metrics = resp.read().decode()
    assert "chat_messages_received_total 1.0" in metrics  # m1, sent on node A
    assert "chat_deliveries_total 2.0" in metrics  # m1 and m2, to alice on node A


BAD_FRAMES = [
    ("not json", 400),
    ("[1, 2]", 400),
    ('{"type": "dance"}', 400),
    ('{"type": "join", "room": ""}', 400),
    ('{"type": "msg", "id": "x", "room": "r", "sender": "s", "sent_at": "now"}', 400),
    ('{"type": "msg", "id": "x", "room": "elsewhere", "sender": "s", "sent_at": 1}', 403),
    (b"\xff\xfe binary garbage", 400),
]


def test_malformed_frames_get_error_frames(
    components: Components, shared_cluster: RedisCluster
) -> None:
    node = components.start("chat", "--sentinel", shared_cluster.sentinel_arg())

    async def scenario() -> None:
        ws = await join(node["ws_url"], "r", "u")
        for n, (frame, status) in enumerate(BAD_FRAMES):
            await ws.send(frame)
            error = await recv(ws)
            assert error["type"] == "error" and error["status"] == status, frame
            assert error["error"]
            await ws.send(msg(f"still-alive-{n}", "r", "u"))  # the connection is still served
            assert (await recv_type(ws, "msg"))["id"] == f"still-alive-{n}"
        await ws.close()

    asyncio.run(scenario())
