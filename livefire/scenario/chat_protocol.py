"""The chat protocol template (`target.staging.protocols.chat`): what a chatter sends over the
platform's own WebSocket chat — on connect, to join its room, to send a message, in answer to
the server's frames — for a platform whose chat is not livefire's JSON `join`/`msg`.

Any relay that passes message text through will do: the `send` frame carries `${marker}`
(loadgen/chat_marker.py), and every frame that comes back is searched for markers, so loss,
duplicates and latency are judged as on the reference platform. Or a plugin (entry-point group
`livefire.protocols`, role "chat") for what a template cannot say.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, model_validator

from livefire.base.units import Duration
from livefire.scenario.slos import Model

CHAT_NAMES = ("room", "marker")
"""Template names a chat frame has beyond the identity's (`user`, `token`, pool columns):
`room` in every frame and the path, `marker` in `send`."""


class ChatReply(Model):
    """A frame to answer: `match` (a regular expression) found in a frame's text → `send`."""

    match: str
    send: str

    @model_validator(mode="after")
    def _compiles(self) -> ChatReply:
        _regex(self.match, "match")
        return self


class ChatProtocol(Model):
    plugin: str | None = None  # an entry point of `livefire.protocols` (role "chat")
    options: dict[str, Any] = Field(default_factory=dict)  # given to the plugin as they are
    # the template (all frames are templates: ${room}, ${user}, ${token}, pool columns)
    format: Literal["text", "json"] = "text"  # json: values are JSON-escaped into the frame
    path: str = ""  # appended to each chat URL, e.g. /sub/${room}
    on_connect: tuple[str, ...] = ()  # frames sent first, e.g. an auth frame
    join: str | None = None  # the frame that joins the room (none: the path joins it)
    joined: str | None = None  # regex: the frame that confirms the join (none: joined at once)
    join_timeout: Duration = Field(default=5.0, gt=0)
    send: str | None = None  # one message: must carry ${marker}
    replies: tuple[ChatReply, ...] = ()  # e.g. {match: '^ping$', send: pong}

    @model_validator(mode="after")
    def _complete(self) -> ChatProtocol:
        template = [f for f in ("join", "joined", "send") if getattr(self, f) is not None]
        template += [f for f in ("path", "on_connect", "replies") if getattr(self, f)]
        if self.plugin is not None:
            if template:
                raise ValueError(
                    f"a chat plugin takes `options`, not template fields ({', '.join(template)})"
                )
            return self
        if self.options:
            raise ValueError("`options` are for a plugin: name one, or drop them")
        if self.send is None:
            raise ValueError("a chat template needs `send`: the frame of one message")
        if "${marker}" not in self.send:
            raise ValueError(
                "`send` must carry ${marker}: it is how each message is found in what comes back"
            )
        if self.joined is not None:
            _regex(self.joined, "joined")
        return self

    def templates(self) -> list[tuple[tuple[str | int, ...], str, set[str]]]:
        """(path in the YAML, template, the chat names it may use) for each frame template."""
        found: list[tuple[tuple[str | int, ...], str, set[str]]] = [
            (("path",), self.path, {"room"})
        ]
        found += [(("on_connect", i), frame, {"room"}) for i, frame in enumerate(self.on_connect)]
        if self.join is not None:
            found.append((("join",), self.join, {"room"}))
        if self.send is not None:
            found.append((("send",), self.send, {"room", "marker"}))
        found += [(("replies", i, "send"), r.send, {"room"}) for i, r in enumerate(self.replies)]
        return found


def _regex(pattern: str, field: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"`{field}`: not a regular expression: {exc}") from None
