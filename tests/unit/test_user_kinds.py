"""Counts of plugin user kinds in `load.users`: integers, and kinds that exist."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from livefire.base.errors import ScenarioError
from livefire.scenario import load_scenario


def _load(tmp_path: Path, users: dict[str, object]) -> None:
    path = tmp_path / "s.yaml"
    scenario = {
        "name": "s",
        "duration": "30s",
        "target": {"staging": {"discovery": "http://d.example"}},
        "load": {"users": users},
        "slos": {"search_success": "99%"},
    }
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    load_scenario(path)


@pytest.mark.parametrize(
    ("users", "words"),
    [
        ({"voter": 3}, "load.users.voter: no user kind 'voter': built in: viewer, creator"),
        ({"voter": "many"}, "voter: expected an integer >= 0, got 'many'"),
        ({"voter": -1}, "voter: expected an integer >= 0, got -1"),
        ({"voter": True}, "voter: expected an integer >= 0, got True"),
    ],
)
def test_an_unknown_or_uncountable_kind_is_refused(
    tmp_path: Path, users: dict[str, object], words: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        _load(tmp_path, users)
    assert words in str(caught.value), str(caught.value)


def test_built_in_kinds_count_as_before(tmp_path: Path) -> None:
    _load(tmp_path, {"searcher": 2})
