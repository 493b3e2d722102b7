"""The chatter: joins its stream's chat room over WebSocket, sends at a configured rate, and
records every receipt, so delivery can be judged against membership at send time.

Accounting (see DESIGN.md, chat delivery): a chatter counts itself a member of its room for
second t when it is joined at the start of t, and counts a receipt only for messages sent at
or after its first whole second of membership. So a message sent in second t is expected by
`chat_members@room` members, and any it does not reach — a drop, a dead node — is loss.
"""

from __future__ import annotations

import json
import math
import random
import time
import uuid
from typing import Any

import gevent
from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

from livefire import telemetry as tm
from loadgen.recorder import Recorder

RECONNECT_S = 1.0
WITHIN_S = 0.100  # the documented promise: delivered within 100 ms


class ChatSession:
    def __init__(
        self,
        urls: list[str],
        room: str,
        user: str,
        recorder: Recorder,
        interval: float,
        rng: random.Random,
    ) -> None:
        self.urls, self.room, self.user = urls, room, user
        self.recorder, self.interval, self.rng = recorder, interval, rng
        self.joined_at: float | None = None
        self.ws: ClientConnection | None = None

    def run_forever(self) -> None:
        """Chat until killed; every drop is counted and followed by a reconnect."""
        beat = gevent.spawn(self._membership)
        try:
            attempt = 0
            while True:
                url = self.urls[attempt % len(self.urls)]
                attempt += 1
                try:
                    self._session(url)
                except (OSError, WebSocketException, TimeoutError, ValueError):
                    self.recorder.count(tm.CHAT_ERRORS)
                self.joined_at = None
                gevent.sleep(RECONNECT_S)
        finally:
            beat.kill(block=False)
            if self.ws is not None:
                self.ws.close()

    def _session(self, url: str) -> None:
        with connect(url, open_timeout=5, close_timeout=1) as ws:
            self.ws = ws
            ws.send(json.dumps({"type": "join", "room": self.room, "user": self.user}))
            self._wait_joined(ws)
            reader = gevent.spawn(self._read, ws)
            try:
                while not reader.dead:
                    gevent.sleep(self.rng.uniform(0.5, 1.5) * self.interval)
                    message = {
                        "type": "msg",
                        "id": uuid.uuid4().hex,
                        "room": self.room,
                        "sender": self.user,
                        "sent_at": time.time(),
                    }
                    ws.send(json.dumps(message))
                    self.recorder.count(tm.CHAT_SENT + self.room, at=message["sent_at"])
            finally:
                reader.kill(block=False)
        reader.get()  # re-raise what ended the reader

    def _wait_joined(self, ws: ClientConnection) -> None:
        deadline = time.time() + 5
        while time.time() < deadline:
            frame = json.loads(ws.recv(timeout=deadline - time.time()))
            if frame.get("type") == "joined":
                self.joined_at = time.time()
                return
        raise TimeoutError("no 'joined' from the chat node")

    def _read(self, ws: ClientConnection) -> None:
        for raw in ws:
            now = time.time()
            frame: dict[str, Any] = json.loads(raw)
            if frame.get("type") == "error":
                self.recorder.count(tm.CHAT_ERRORS, at=now)
            elif frame.get("type") == "msg" and self._counts(frame):
                sent = float(frame["sent_at"])  # receipts count in the second of sending,
                latency = now - sent  # so a window's ratio compares like with like
                self.recorder.observe(tm.CHAT_LATENCY, max(latency, 0.0), at=sent)
                self.recorder.count(tm.CHAT_RECEIVED, at=sent)
                if latency <= WITHIN_S:
                    self.recorder.count(tm.CHAT_RECEIVED_100MS, at=sent)

    def _counts(self, frame: dict[str, Any]) -> bool:
        joined = self.joined_at
        return joined is not None and float(frame.get("sent_at", 0)) >= math.ceil(joined)

    def _membership(self) -> None:
        """At each whole second, count this chatter a member for it if joined by then."""
        while True:
            now = time.time()
            gevent.sleep(math.ceil(now) - now + 0.001)
            t = math.floor(time.time())
            if self.joined_at is not None and self.joined_at <= t:
                self.recorder.count(tm.CHAT_MEMBERS + self.room, at=t)
