"""Chat frames parse into types or into errors that say what is wrong."""

from __future__ import annotations

import json

import pytest
from livefire_stubs.chat.protocol import (
    FrameError,
    Join,
    Leave,
    Msg,
    error_frame,
    parse_frame,
    stamped,
)


def test_frames_parse_into_types() -> None:
    assert parse_frame('{"type": "join", "room": "r", "user": "u"}') == Join("r", "u")
    assert parse_frame(b'{"type": "leave", "room": "r"}') == Leave("r")
    raw = '{"type": "msg", "id": "1", "room": "r", "sender": "u", "sent_at": 5, "text": "hi"}'
    assert parse_frame(raw) == Msg("1", "r", "u", 5.0, "hi")


@pytest.mark.parametrize(
    ("raw", "words", "msg_id"),
    [
        ("{", "not JSON", None),
        ("3", "JSON object", None),
        ('{"type": 1}', "type", None),
        ('{"type": "join", "room": "r"}', "user: expected", None),
        ('{"type": "join", "room": "' + "x" * 201 + '", "user": "u"}', "room", None),
        ('{"type": "msg", "id": "7", "room": "r", "sender": "u"}', "sent_at", "7"),
        ('{"type": "msg", "id": "7", "room": "r", "sender": "u", "sent_at": true}', "sent_at", "7"),
        (
            '{"type": "msg", "id": "7", "room": "r", "sender": "u", "sent_at": 1, "text": 2}',
            "text",
            "7",
        ),
    ],
)
def test_bad_frames_name_the_problem(raw: str, words: str, msg_id: str | None) -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame(raw)
    assert words in str(caught.value) and caught.value.status == 400
    assert caught.value.msg_id == msg_id


def test_stamped_and_error_frames() -> None:
    out = json.loads(stamped(Msg("1", "r", "u", 5.0), "chat-a", 6.5))
    assert out == {
        "type": "msg", "id": "1", "room": "r", "sender": "u", "sent_at": 5.0, "text": "",
        "node": "chat-a", "server_at": 6.5,
    }  # fmt: skip
    assert json.loads(error_frame("no", 503, "9")) == {
        "type": "error", "error": "no", "status": 503, "id": "9",
    }  # fmt: skip
