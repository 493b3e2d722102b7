"""Chat frames, parsed and stamped without touching a socket (see the package docstring)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["FrameError", "Join", "Leave", "Msg", "error_frame", "parse_frame", "stamped"]

MAX_NAME = 200
MAX_TEXT = 4096


class FrameError(ValueError):
    """A client frame the node refuses; becomes an error frame with `status`."""

    def __init__(self, message: str, status: int = 400, msg_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.msg_id = msg_id


@dataclass(frozen=True)
class Join:
    room: str
    user: str


@dataclass(frozen=True)
class Leave:
    room: str


@dataclass(frozen=True)
class Msg:
    id: str
    room: str
    sender: str
    sent_at: float
    text: str = ""


Frame = Join | Leave | Msg


def _name(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value or len(value) > MAX_NAME:
        found = "missing" if value is None else repr(value)[:40]
        raise FrameError(f"{key}: expected a non-empty string of at most {MAX_NAME}, got {found}")
    return value


def _msg(data: dict[str, Any]) -> Msg:
    msg_id = _name(data, "id")
    sent_at = data.get("sent_at")
    if isinstance(sent_at, bool) or not isinstance(sent_at, int | float):
        raise FrameError("sent_at: expected a number (Unix seconds)", msg_id=msg_id)
    text = data.get("text", "")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise FrameError(f"text: expected a string of at most {MAX_TEXT}", msg_id=msg_id)
    return Msg(msg_id, _name(data, "room"), _name(data, "sender"), float(sent_at), text)


def parse_frame(raw: str | bytes) -> Frame:
    """One client frame → a typed frame, or FrameError saying what is wrong with it."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FrameError(f"frame is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise FrameError("frame must be a JSON object")
    kind = data.get("type")
    if kind == "join":
        return Join(_name(data, "room"), _name(data, "user"))
    if kind == "leave":
        return Leave(_name(data, "room"))
    if kind == "msg":
        return _msg(data)
    raise FrameError(f"type: expected 'join', 'leave' or 'msg', got {kind!r}")


def stamped(msg: Msg, node: str, now: float) -> str:
    """The frame fanned out to every member: the client's fields plus node and server_at."""
    body: dict[str, Any] = {"type": "msg", "id": msg.id, "room": msg.room, "sender": msg.sender}
    body |= {"sent_at": msg.sent_at, "text": msg.text, "node": node, "server_at": now}
    return json.dumps(body)


def error_frame(message: str, status: int = 400, msg_id: str | None = None) -> str:
    body: dict[str, Any] = {"type": "error", "error": message, "status": status}
    if msg_id is not None:
        body["id"] = msg_id
    return json.dumps(body)
