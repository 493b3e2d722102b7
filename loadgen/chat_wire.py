"""What a chatter says on the wire, apart from when and what it records: the reference
platform's JSON protocol, the scenario's template for any relay that passes text through, or a
plugin's class (entry-point group `livefire.protocols`, role "chat", the `ChatWire` interface).

A wire opens one connection and joins one room (`open`), sends one message (`send`) and turns
each frame that arrives into receipt frames (`receive`: dicts with `type` "msg", `id`, `room`,
`sender`, `sent_at`, or `type` "error"), which the chat account judges as it judges the
reference platform's — so a plugin's traffic reaches the same recorder and the same SLIs.
"""

from __future__ import annotations

import json
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from websockets.exceptions import ConnectionClosedOK
from websockets.sync.client import ClientConnection, connect

from livefire.base import secrets
from livefire.base.connect import render
from loadgen.chat_marker import ChatMessage, find_markers
from loadgen.protocol_plugins import build_protocol, register_interface

Receipts = list[dict[str, Any]]


@dataclass(frozen=True)
class ChatDial:
    """Everything one connection needs: where, which room, who, and the endpoint's settings."""

    url: str
    room: str
    values: Mapping[str, str]  # the identity's template values: user, token, pool columns
    headers: dict[str, str] = field(default_factory=dict)  # the chat endpoint's, cookies too
    ssl: ssl.SSLContext | None = None  # for wss:// only
    server_name: str | None = None  # SNI and the name checked, when not the URL's host
    timeout: float = 5.0  # opening the connection; joining

    def connect(self, url: str | None = None) -> ClientConnection:
        secure = (url or self.url).startswith("wss:")
        return connect(
            url or self.url,
            open_timeout=self.timeout,
            close_timeout=1,
            additional_headers=self.headers or None,
            ssl=self.ssl if secure else None,
            server_hostname=self.server_name if secure else None,
        )


class ChatWire(Protocol):
    """The chat protocol interface: a plugin class with `role = "chat"` implements these, and
    is built once per chatter with the scenario's `options`."""

    role: ClassVar[str]

    def open(self, dial: ChatDial) -> None:
        """Connect and join `dial.room`; return once joined. Raise OSError, TimeoutError,
        ValueError or a websockets exception when it cannot (the chatter counts an error and
        reconnects)."""

    def send(self, message: ChatMessage) -> None:
        """Send one message; a foreign wire puts `message.marker()` into its text."""

    def receive(self, timeout: float | None = None) -> Receipts | None:
        """Wait for the next frame: the receipts it carries (often none); None once the server
        closed the connection cleanly. Raise as `open` does on a broken connection."""

    def close(self) -> None:
        """Close the connection (idempotent)."""


register_interface("chat", ChatWire)


class ReferenceWire:
    """livefire's own chat: `join` → `joined`, `msg` frames carrying id, room, sender, sent_at."""

    role: ClassVar[str] = "chat"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.ws: ClientConnection | None = None

    def open(self, dial: ChatDial) -> None:
        self.ws = ws = dial.connect()
        user = dial.values.get("user", "")
        ws.send(json.dumps({"type": "join", "room": dial.room, "user": user}))
        _wait_for(ws, dial.timeout, lambda raw: json.loads(raw).get("type") == "joined", "joined")

    def send(self, message: ChatMessage) -> None:
        assert self.ws is not None, "open first"
        frame = {
            "type": "msg",
            "id": message.id,
            "room": message.room,
            "sender": message.sender,
            "sent_at": message.sent_at,
        }
        self.ws.send(json.dumps(frame))

    def receive(self, timeout: float | None = None) -> Receipts | None:
        assert self.ws is not None, "open first"
        raw = _recv(self.ws, timeout)
        return None if raw is None else reference_receipts(raw)

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()


def reference_receipts(raw: str | bytes) -> Receipts:
    """The receipts in one frame of livefire's own protocol (ValueError: not JSON)."""
    frame: dict[str, Any] = json.loads(raw)
    kind = frame.get("type")
    if kind == "error":
        return [{"type": "error"}]
    return [frame] if kind == "msg" else []


@dataclass(frozen=True)
class ChatTemplate:
    """The scenario's chat template, as `LoadConfig.protocols["chat"]` carries it."""

    send: str
    format: str = "text"
    path: str = ""
    on_connect: tuple[str, ...] = ()
    join: str | None = None
    joined: re.Pattern[str] | None = None
    join_timeout: float = 5.0
    replies: tuple[tuple[re.Pattern[str], str], ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChatTemplate:
        joined = data.get("joined")
        return cls(
            send=str(data["send"]),
            format=str(data.get("format", "text")),
            path=str(data.get("path", "")),
            on_connect=tuple(data.get("on_connect", ())),
            join=data.get("join"),
            joined=re.compile(joined) if joined is not None else None,
            join_timeout=float(data.get("join_timeout", 5.0)),
            replies=tuple((re.compile(r["match"]), r["send"]) for r in data.get("replies", ())),
        )


class TemplateWire:
    """Any WebSocket relay that passes text through, spoken as the scenario's template says."""

    role: ClassVar[str] = "chat"

    def __init__(self, template: ChatTemplate) -> None:
        self.template = template
        self.ws: ClientConnection | None = None
        self.values: dict[str, str] = {}

    def open(self, dial: ChatDial) -> None:
        template = self.template
        self.values = {**dial.values, "room": dial.room}
        path = self._render(template.path, escape=False) if template.path else ""
        self.ws = ws = dial.connect(dial.url.rstrip("/") + path if path else dial.url)
        for frame in template.on_connect:
            ws.send(self._render(frame))
        if template.join is not None:
            ws.send(self._render(template.join))
        joined = template.joined
        if joined is not None:
            timeout = min(dial.timeout, template.join_timeout)
            _wait_for(ws, timeout, lambda raw: self._heard(raw, joined), "a frame matching joined")

    def send(self, message: ChatMessage) -> None:
        assert self.ws is not None, "open first"
        self.ws.send(self._render(self.template.send, marker=message.marker()))

    def receive(self, timeout: float | None = None) -> Receipts | None:
        assert self.ws is not None, "open first"
        raw = _recv(self.ws, timeout)
        if raw is None:
            return None
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        self._answer(text)
        return find_markers(text)

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()

    def _heard(self, raw: str | bytes, pattern: re.Pattern[str]) -> bool:
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        self._answer(text)
        return pattern.search(text) is not None

    def _answer(self, text: str) -> None:
        assert self.ws is not None
        for pattern, reply in self.template.replies:
            if pattern.search(text):
                self.ws.send(self._render(reply))

    def _render(self, template: str, escape: bool = True, **extra: str) -> str:
        values = {**self.values, **extra}
        if escape and self.template.format == "json":
            values = {k: json.dumps(v)[1:-1] for k, v in values.items()}
        return render(secrets.resolve(template), values)


def chat_wire(protocol: Mapping[str, Any] | None) -> ChatWire:
    """A fresh wire for one chatter: the plugin's, the template's, or livefire's own."""
    if not protocol:
        return ReferenceWire()
    plugin = protocol.get("plugin")
    if plugin:
        wire: ChatWire = build_protocol(str(plugin), "chat", dict(protocol.get("options", {})))
        return wire
    return TemplateWire(ChatTemplate.from_json(protocol))


def _recv(ws: ClientConnection, timeout: float | None) -> str | bytes | None:
    try:
        return ws.recv(timeout=timeout)
    except ConnectionClosedOK:
        return None


def _wait_for(
    ws: ClientConnection, timeout: float, done: Callable[[str | bytes], bool], what: str
) -> None:
    """Read frames until `done(raw)`; TimeoutError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            raw = ws.recv(timeout=left)
        except TimeoutError:
            break
        if done(raw):
            return
    raise TimeoutError(f"no {what} from the chat node within {timeout:g} s")
