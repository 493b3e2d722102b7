"""One chat node: local room membership, publishing to Redis, relaying Redis to members."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import defaultdict

from prometheus_client import CollectorRegistry, Counter, Gauge
from redis.asyncio import Redis
from websockets.asyncio.server import ServerConnection, broadcast
from websockets.exceptions import ConnectionClosed

from livefire_stubs.chat.protocol import (
    FrameError,
    Join,
    Leave,
    Msg,
    error_frame,
    parse_frame,
    stamped,
)
from livefire_stubs.store import UNAVAILABLE, Store

__all__ = ["CHANNEL_PREFIX", "ChatNode"]

CHANNEL_PREFIX = "lf:chat:"
"""Every room R is the Redis channel `lf:chat:R`; every node pattern-subscribes to all rooms."""

log = logging.getLogger(__name__)


class ChatNode:
    """Holds this node's members per room; `handle` serves one WebSocket, `relay` runs forever."""

    def __init__(self, name: str, store: Store, registry: CollectorRegistry) -> None:
        self.name = name
        self.store = store
        self.rooms: dict[str, set[ServerConnection]] = defaultdict(set)
        self.subscribed = asyncio.Event()
        self.connections = Gauge("chat_connections", "open WebSockets", registry=registry)
        self.received = Counter("chat_messages_received", "msg frames accepted", registry=registry)
        self.delivered = Counter("chat_deliveries", "msg frames sent to members", registry=registry)
        self.errors = Counter("chat_errors", "error frames sent", ["status"], registry=registry)
        self.resubscribes = Counter(
            "chat_resubscribes", "Redis re-subscriptions", registry=registry
        )

    async def handle(self, ws: ServerConnection) -> None:
        joined: set[str] = set()
        self.connections.inc()
        try:
            async for raw in ws:
                reply = await self._on_frame(raw, joined, ws)
                if reply:
                    await ws.send(reply)
        except ConnectionClosed:
            pass
        finally:
            self.connections.dec()
            for room in joined:
                self._leave(room, ws)

    async def _on_frame(self, raw: str | bytes, joined: set[str], ws: ServerConnection) -> str:
        try:
            frame = parse_frame(raw)
            if isinstance(frame, Join):
                joined.add(frame.room)
                self.rooms[frame.room].add(ws)
                return json.dumps(
                    {"type": "joined", "room": frame.room, "user": frame.user, "node": self.name}
                )
            if isinstance(frame, Leave):
                joined.discard(frame.room)
                self._leave(frame.room, ws)
                return json.dumps({"type": "left", "room": frame.room})
            return await self._publish(frame, joined)
        except FrameError as exc:
            self.errors.labels(str(exc.status)).inc()
            return error_frame(str(exc), exc.status, exc.msg_id)

    async def _publish(self, msg: Msg, joined: set[str]) -> str:
        if msg.room not in joined:
            raise FrameError(f"join room {msg.room!r} before sending to it", 403, msg.id)
        try:
            await self.store.primary.publish(
                CHANNEL_PREFIX + msg.room, stamped(msg, self.name, time.time())
            )
        except UNAVAILABLE as exc:
            raise FrameError(f"chat backend unavailable: {exc}", 503, msg.id) from None
        self.received.inc()
        return ""

    def _leave(self, room: str, ws: ServerConnection) -> None:
        members = self.rooms.get(room)
        if members is not None:
            members.discard(ws)
            if not members:
                del self.rooms[room]

    def deliver(self, channel: str, data: str) -> None:
        members = self.rooms.get(channel.removeprefix(CHANNEL_PREFIX))
        if members:
            broadcast(members, data)
            self.delivered.inc(len(members))

    async def relay(self) -> None:
        """Relay every room channel of the current primary to local members, across failovers."""
        backoff = 0.1
        while True:
            try:
                await self._relay_from_primary()
            except (TimeoutError, *UNAVAILABLE) as exc:
                log.warning("chat relay lost Redis (%s); re-subscribing", exc)
            except Exception:  # never let one odd reply end the relay for good
                log.exception("chat relay failed; re-subscribing")
            self.subscribed.clear()
            self.resubscribes.inc()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 1.0)

    async def _relay_from_primary(self) -> None:
        """Subscribe on the primary Sentinel names; return when Sentinel names another one."""
        addr = await self.store.sentinel.discover_master(self.store.master_name)
        client = Redis(host=addr[0], port=addr[1], socket_connect_timeout=1.0)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            # A frozen primary would never answer, and this client has no read timeout.
            await asyncio.wait_for(pubsub.psubscribe(CHANNEL_PREFIX + "*"), 2.0)
            self.subscribed.set()
            checked = time.monotonic()
            while True:
                message = await pubsub.get_message(timeout=0.2)
                if message and message["type"] == "pmessage":
                    self.deliver(message["channel"].decode(), message["data"].decode())
                if time.monotonic() - checked > 1.0:
                    checked = time.monotonic()
                    if await self._primary_moved(addr):
                        return
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await client.aclose()

    async def _primary_moved(self, addr: tuple[str, int]) -> bool:
        """True when Sentinel names a new primary (a frozen one never closes our socket)."""
        try:
            now = await self.store.sentinel.discover_master(self.store.master_name)
        except UNAVAILABLE:
            return False
        return tuple(now) != tuple(addr)
