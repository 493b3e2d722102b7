"""The chat template's other frames — on connect, join, the frame that confirms it, answers to
the server's pings, JSON escaping — against a relay that insists on each of them: it closes a
connection that does not authenticate first, ignores messages before `ready`, and drops a
client that leaves a PING unanswered for a second."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from livefire.base import telemetry as tm
from livefire.base.processes import free_port
from livefire.verdict.slis import SLIS
from tests.integration.test_locust_users import config, judged, run_locust

pytestmark = pytest.mark.integration
TOKEN = "s3cret"
TEMPLATE = {
    "format": "json",
    "on_connect": ['{"op": "auth", "token": "' + TOKEN + '"}'],
    "join": '{"op": "join", "channel": "${room}"}',
    "joined": '"op": ?"ready"',
    "send": '{"op": "say", "body": "${user}: ${marker}"}',
    "replies": [{"match": "^PING$", "send": "PONG"}],
}


class Relay:
    """A strict relay: auth, join, ready, PING/PONG; `{"op": "say"}` goes to the channel."""

    def __init__(self) -> None:
        self.port = free_port()
        self.rooms: dict[str, set[ServerConnection]] = {}
        self.pongs = 0
        self.refused = 0
        self.dropped = 0

    async def handle(self, ws: ServerConnection) -> None:
        first = json.loads(await ws.recv())
        if first != {"op": "auth", "token": TOKEN}:
            self.refused += 1
            await ws.close(4001, "auth first")
            return
        join = json.loads(await ws.recv())
        room = self.rooms.setdefault(join["channel"], set())
        await ws.send(json.dumps({"op": "ready"}))
        room.add(ws)
        answered = asyncio.Event()
        pinger = asyncio.create_task(self.ping(ws, answered))
        try:
            async for raw in ws:
                if raw == "PONG":
                    self.pongs += 1
                    answered.set()
                    continue
                frame = json.loads(raw)
                out = json.dumps({"event": "message", "data": {"body": frame["body"]}})
                for member in list(room):
                    await member.send(out)
        except ConnectionClosed:
            pass
        finally:
            pinger.cancel()
            room.discard(ws)

    async def ping(self, ws: ServerConnection, answered: asyncio.Event) -> None:
        while True:
            await asyncio.sleep(0.5)
            answered.clear()
            await ws.send("PING")
            try:
                await asyncio.wait_for(answered.wait(), 1.0)
            except TimeoutError:
                self.dropped += 1
                await ws.close(4002, "no PONG")
                return

    async def serve(self, stop: asyncio.Event) -> None:
        async with serve(self.handle, "127.0.0.1", self.port):
            await stop.wait()


@pytest.fixture
def relay() -> Iterator[Relay]:
    server = Relay()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(stop),))
    thread.start()
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        assert not thread.is_alive()


def chat(tmp_path: Path, relay: Relay, template: dict[str, object]) -> list[tm.Second]:
    cfg = config(
        tmp_path,
        users={"chatter": 4},
        chat_interval=0.5,
        chat_urls=[f"ws://127.0.0.1:{relay.port}"],
        protocols={"chat": template},
    )
    return judged(tm.merge_batches(run_locust(tmp_path, cfg, "Chatter")))


def test_every_frame_of_the_template_is_said_and_delivery_judged(
    tmp_path: Path, relay: Relay
) -> None:
    window = chat(tmp_path, relay, TEMPLATE)
    assert relay.refused == 0 and relay.dropped == 0 and relay.pongs > 20
    assert sum(s.counters.get(tm.CHAT_SENT + "live1", 0) for s in window) > 50
    loss = SLIS.get("chat_loss").measure(window)
    assert loss is not None and loss <= 0.01
    assert sum(s.counters.get(tm.CHAT_ERRORS, 0) for s in window) == 0


def test_without_the_answer_to_ping_the_relay_drops_chatters_and_it_shows(
    tmp_path: Path, relay: Relay
) -> None:
    window = chat(tmp_path, relay, {**TEMPLATE, "replies": []})
    assert relay.dropped > 0
    assert sum(s.counters.get(tm.CHAT_ERRORS, 0) for s in window) > 0
