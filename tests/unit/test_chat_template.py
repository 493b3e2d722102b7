"""The chat template and plugins: markers survive foreign envelopes, frames render as their
format asks, and what cannot work is refused at validation on its line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from livefire.base.errors import ScenarioError
from livefire.scenario import load_scenario
from loadgen.chat_marker import ChatMessage, find_markers
from loadgen.chat_wire import ChatTemplate, TemplateWire
from tests.protocol_plugin import install

MESSAGE = ChatMessage("0123456789abcdef0123456789abcdef", "salle-été", "chatter-1", 1.5e9 + 0.25)


def test_a_marker_is_found_wherever_a_relay_puts_the_text() -> None:
    marker = MESSAGE.marker()
    assert marker.isascii() and '"' not in marker and "\\" not in marker
    wrapped = json.dumps({"event": "message", "data": {"html": f"<b>{marker}</b>"}})
    (found,) = find_markers(wrapped)
    assert found == {
        "type": "msg",
        "id": MESSAGE.id,
        "room": "salle-été",
        "sender": "chatter-1",
        "sent_at": MESSAGE.sent_at,
    }
    other = ChatMessage("f" * 32, "r", "s", 1.0)
    batched = f"[{marker!r}, {other.marker()!r}]"
    assert [m["id"] for m in find_markers(batched)] == [MESSAGE.id, "f" * 32]
    assert find_markers("LF1." + "0" * 32 + ".12.%%%.x.") == []  # not livefire's
    assert find_markers("no marker here") == []


def test_json_frames_escape_the_values_put_into_them() -> None:
    template = ChatTemplate.from_json({"format": "json", "send": '{"t": "${user}: ${marker}"}'})
    wire = TemplateWire(template)
    wire.values = {"user": 'say "hi"\\', "room": "r"}
    frame = json.loads(wire._render(template.send, marker="M"))
    assert frame == {"t": 'say "hi"\\: M'}
    text = TemplateWire(ChatTemplate.from_json({"send": "${user} ${marker}"}))
    text.values = {"user": 'a"b'}
    assert text._render("${user} ${marker}", marker="M") == 'a"b M'


def _scenario(tmp_path: Path, chat: dict[str, Any]) -> Path:
    path = tmp_path / "chat.yaml"
    scenario = {
        "name": "c",
        "duration": "30s",
        "target": {"staging": {"chat": ["ws://chat.example"], "protocols": {"chat": chat}}},
        "load": {"users": {"chatter": 2}},
        "slos": {"chat_loss": "1%"},
    }
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path


@pytest.mark.parametrize(
    ("chat", "words"),
    [
        ({"send": "hello"}, "`send` must carry ${marker}"),
        ({"path": "/c/${room}"}, "a chat template needs `send`"),
        ({"send": "${marker}", "joined": "(("}, "`joined`: not a regular expression"),
        ({"send": "${marker}", "replies": [{"match": "[", "send": "x"}]}, "`match`: not a"),
        ({"send": "${marker} ${team}"}, "protocols.chat.send: ${team} is not known"),
        ({"send": "${marker}", "join": "${marker}"}, "protocols.chat.join: ${marker} is not"),
        ({"plugin": "x", "send": "${marker}"}, "a chat plugin takes `options`, not template"),
        ({"send": "${marker}", "options": {"a": 1}}, "`options` are for a plugin"),
        ({"send": "${marker}", "format": "xml"}, "protocols.chat.format"),
    ],
)
def test_a_template_that_cannot_work_is_refused_on_its_line(
    tmp_path: Path, chat: dict[str, Any], words: str
) -> None:
    path = _scenario(tmp_path, chat)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert words in text and f"{path}:" in text, text


@pytest.mark.parametrize(
    ("entry", "attr", "words"),
    [
        ("good", "NchanChat", None),
        ("mute", "Mute", "lacks send of the chat protocol interface"),
        ("gifty", "Gifts", "its role is 'gifts', but it is used as 'chat'"),
        ("func", "not_a_class", "is a function, expected a class"),
        ("broken", "Nowhere", "cannot be loaded: AttributeError"),
    ],
)
def test_a_plugin_is_loaded_at_validation_and_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str, attr: str, words: str | None
) -> None:
    name = f"{entry}-{tmp_path.name}"
    monkeypatch.syspath_prepend(str(install(tmp_path / "site", {name: attr})))
    path = _scenario(tmp_path, {"plugin": name, "options": {"greeting": "hi"}})
    if words is None:
        load_scenario(path)
        return
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert f"target.staging.protocols.chat.plugin: protocol plugin '{name}'" in text, text
    assert words in text, text


def test_a_plugin_nobody_installed_is_refused_with_what_is_installed(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"no protocol plugin 'nope' in livefire\.protocols"):
        load_scenario(_scenario(tmp_path, {"plugin": "nope"}))
