"""Bad input at the CLI: exit 2, one line per problem with file:line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import SCENARIOS, livefire

pytestmark = pytest.mark.e2e
BAD = Path(__file__).parents[1] / "fixtures" / "bad_scenarios"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown_key.yaml", ":2: durtion: unknown key 'durtion'"),
        ("wrong_type.yaml", ":5: load.users.viewer: expected an integer"),
        ("missing_field.yaml", ":1: duration: missing required field"),
        ("unknown_fault.yaml", ":6: faults[0].fault: unknown fault 'edge-latncy'"),
        ("undeclared_target.yaml", ":6: faults[0].target: undeclared target 'edge-apak'"),
        ("not_yaml.yaml", ":3: invalid YAML"),
        ("not_utf8.yaml", ":2: not UTF-8: byte 0xe9"),
        ("control_character.yaml", ":3: invalid YAML: character U+0001 is not allowed"),
        ("recursive_alias.yaml", ":3: target.embedded.flags[0]: alias refers to a value"),
        ("duplicate_key.yaml", ":4: name: duplicate key"),
    ],
)
def test_bad_scenario_exits_2_with_located_messages(
    name: str, expected: str, tmp_path: Path
) -> None:
    proc = livefire("run", str(BAD / name), "--run-dir", str(tmp_path / "run"))
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2, out
    assert "Traceback" not in out
    lines = out.strip().splitlines()
    assert lines and all(line.startswith(f"{BAD / name}:") for line in lines), out
    assert f"{BAD / name}{expected}" in out, out
    assert not (tmp_path / "run").exists(), "nothing may start for an invalid scenario"


def test_dry_run_prints_the_timeline_and_starts_nothing(tmp_path: Path) -> None:
    proc = livefire(
        "run", str(SCENARIOS / "smoke.yaml"), "--dry-run", "--run-dir", str(tmp_path / "run")
    )
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "f0: t=20s inject edge-latency on edge-apac; revert at t=35s" in out
    assert not (tmp_path / "run").exists()


def test_help_teaches() -> None:
    proc = livefire("run", "--help")
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "examples:" in out and "--dry-run" in out
