"""Gifts and search plugins at validation: loaded, fitting their role, never mixed with a
template's fields; refused on their line otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from livefire.base.errors import ScenarioError
from livefire.scenario import load_scenario
from tests.protocol_plugin import install_tips


def _scenario(tmp_path: Path, protocols: dict[str, Any]) -> Path:
    path = tmp_path / "p.yaml"
    scenario = {
        "name": "p",
        "duration": "30s",
        "target": {
            "staging": {
                "gifts": "http://g.example",
                "discovery": "http://d.example",
                "protocols": protocols,
            }
        },
        "load": {"users": {"gifter": 1, "searcher": 1}},
        "slos": {"gift_success": "99%"},
    }
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path


@pytest.mark.parametrize(
    ("protocols", "words"),
    [
        ({"gifts": {"plugin": "streams-py"}}, "its role is 'search', but it is used as 'gifts'"),
        ({"search": {"plugin": "tips-py"}}, "its role is 'gifts', but it is used as 'search'"),
        ({"gifts": {"plugin": "nope"}}, "protocols.gifts.plugin: no protocol plugin 'nope'"),
        (
            {"gifts": {"plugin": "tips-py", "url": "/x", "success": [201]}},
            "a gifts plugin takes `options`, not template fields (success, url)",
        ),
        ({"search": {"options": {"q": 1}}}, "protocols.search.options: `options` are for a"),
    ],
)
def test_a_plugin_that_cannot_work_is_refused_on_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, protocols: dict[str, Any], words: str
) -> None:
    monkeypatch.syspath_prepend(str(install_tips(tmp_path / "site")))
    path = _scenario(tmp_path, protocols)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert words in str(caught.value) and f"{path}:" in str(caught.value), str(caught.value)


def test_plugins_of_their_roles_are_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(install_tips(tmp_path / "site")))
    protocols = {
        "gifts": {"plugin": "tips-py", "options": {"page_size": 3}},
        "search": {"plugin": "streams-py", "options": {"query": "live"}},
    }
    staging = load_scenario(_scenario(tmp_path, protocols)).scenario.target.staging
    assert staging is not None
    sent = staging.protocols.to_load()
    assert sent["gifts"]["plugin"] == "tips-py" and sent["gifts"]["options"] == {"page_size": 3}
    assert sent["search"]["options"] == {"query": "live"}
