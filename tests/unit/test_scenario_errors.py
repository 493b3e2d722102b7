"""A gallery of bad scenarios: each must fail with file:line: path: message, every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from livefire.base.errors import ScenarioError
from livefire.scenario import load_scenario
from livefire.target import check_targets, topology_for

BAD = Path(__file__).parent.parent / "fixtures" / "bad_scenarios"

GALLERY = {
    "unknown_key.yaml": [
        ":2: durtion: unknown key 'durtion'; did you mean 'duration'?",
        ":1: duration: missing required field",
    ],
    "wrong_type.yaml": [
        ":5: load.users.viewer: expected an integer, got 'many'",
        ":7: slos.stream_latency_p95: expected a duration such as 20s or 300ms, got 'fast'",
    ],
    "missing_field.yaml": [
        ":1: duration: missing required field",
        ":1: slos: missing required field",
    ],
    "unknown_fault.yaml": [
        ":6: faults[0].fault: unknown fault 'edge-latncy'; did you mean 'edge-latency'?",
        ":7: faults[1].params.latency_ms: expected a number >= 0, got -5",
        ":7: faults[1].params.jiter: unknown parameter 'jiter' for edge-latency; "
        "did you mean 'jitter_ms'?",
    ],
    "fault_after_end.yaml": [":6: faults[0].at: fault ends at 35s, after the run's duration 30s"],
    "bad_shape.yaml": [
        ":3: target: expected exactly one of 'embedded' or 'staging'",
        ":6: load.shape[1].hold: expected a duration such as 20s or 300ms, got 'forever'",
        ":6: load.shape[2]: expected {ramp: DURATION, to: FRACTION} or {hold: DURATION}",
        ":7: slos.viewer_error_rate: expected a percentage such as 99.9% or a fraction in "
        "[0, 1], got '150%'",
    ],
    "not_yaml.yaml": [":3: invalid YAML"],
    # refused at load, not when the first creator starts pushing
    "rtmp_without_url.yaml": [
        ":4: load: creator_protocol rtmp needs creator_url, e.g. rtmp://ingest.example/live/{stream}"
    ],
    "bad_cost.yaml": [
        ":6: faults[0].severity: unknown severity 'P9'; known: P0, P2",
        ":7: faults[1].fault: priced at P1 (default for transcoder-node-kill), which "
        "cost.severities does not define; add P1 there or set faults[1].severity",
        ":10: cost.severities.P2: expected a number >= 0",
        ":11: cost.audience: expected a number > 0, got 0",
        ":12: cost.faults.edge-latncy: unknown fault 'edge-latncy'; did you mean 'edge-latency'?",
        ":12: cost.faults.chat-node-kill: unknown severity 'SEV1'; known: P0, P2",
        ":13: cost.currency: unknown key 'currency'; known: audience, faults, severities",
    ],
    "cost_table_lacks_default.yaml": [
        ":7: faults[1].fault: priced at P1 (default for transcoder-node-kill), which "
        "cost.severities does not define",
        ":11: cost.faults.chat-node-kill: unknown severity 'SEV3'; did you mean 'SEV2'?",
    ],
    "duplicate_key.yaml": [
        ":4: name: duplicate key (first on line 1; YAML would keep only the last)",
        ":6: load.users.viewer: duplicate key (YAML would keep only the last)",
    ],
    "not_utf8.yaml": [":2: not UTF-8: byte 0xe9 cannot be decoded; save it as UTF-8"],
    "control_character.yaml": [":3: invalid YAML: character U+0001 is not allowed"],
    "nothing_to_judge.yaml": [":5: slos: no promise to judge"],
    "unjudgeable_promises.yaml": [
        ":10: slos.recovery.transcoder-node-kill: a recovery budget needs an overall SLO judged "
        "second by second to recover (e.g. stream_latency_p95 or viewer_error_rate); "
        "streams_preserved: a share of sessions",
        ":12: slos.during_faults.streams_preserved: streams_preserved is a share of viewer "
        "sessions, which start and break in different phases",
        ":13: slos.during_faults.quality_held: quality_held is a share",
        ":14: slos.after_faults: no promise to judge in after_faults",
    ],
    "recursive_alias.yaml": [
        ":3: target.embedded.flags[0]: alias refers to a value that contains it",
    ],
    "bad_compare.yaml": [
        ":11: compare.tolerance: expected a percentage such as 99.9% or a fraction in [0, 1], "
        "got '150%'",
        ":13: compare.promises.stream_latncy_p95: unknown promise 'stream_latncy_p95'; "
        "did you mean 'stream_latency_p95'?",
        ":14: compare.promises.recovery: expected a share of the promise's room such as 10%, "
        "or a duration such as 20ms, got 'lots'",
    ],
}


@pytest.mark.parametrize("name", sorted(GALLERY))
def test_every_problem_is_reported_with_its_line(name: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BAD / name)
    text = str(caught.value)
    for expected in GALLERY[name]:
        assert f"{BAD / name}{expected}" in text, f"missing {expected!r} in:\n{text}"
    assert len(caught.value.problems) == len(GALLERY[name]), text


def test_undeclared_fault_target_is_refused_before_anything_starts() -> None:
    loaded = load_scenario(BAD / "undeclared_target.yaml")
    with pytest.raises(ScenarioError) as caught:
        check_targets(loaded, topology_for(loaded).target_kinds())
    assert str(caught.value) == (
        f"{BAD / 'undeclared_target.yaml'}:6: faults[0].target: undeclared target 'edge-apak'; "
        "did you mean 'edge-apac'?"
    )


def test_duplicate_keys_are_reported_with_the_other_problems(tmp_path: Path) -> None:
    path = tmp_path / "game.yaml"
    path.write_text("name: a\nname: b\nduration: soon\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert f"{path}:2: name: duplicate key" in text
    assert f"{path}:3: duration: expected a duration" in text


def test_nesting_beyond_the_parser_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("name: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path}:1: invalid YAML: nested too deeply to read"


def test_an_alias_used_twice_is_not_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "name: ok\nduration: 60s\ntarget: {embedded: {}}\n"
        "load: {users: &users {viewer: 1}}\nslos: {stream_latency_p95: 250ms}\n"
        "x-again: *users\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (only,) = caught.value.problems
    assert (only.line, only.message.split(";")[0]) == (6, "unknown key 'x-again'")


def test_missing_file_is_one_line() -> None:
    with pytest.raises(ScenarioError, match=r"nope.yaml:0: cannot read"):
        load_scenario(BAD / "nope.yaml")


def test_a_fault_aimed_at_the_wrong_kind_of_target_is_refused() -> None:
    loaded = load_scenario(BAD / "wrong_target_kind.yaml")
    with pytest.raises(ScenarioError) as caught:
        check_targets(loaded, topology_for(loaded).target_kinds())
    assert str(caught.value) == (
        f"{BAD / 'wrong_target_kind.yaml'}:6: faults[0].target: fault 'transcoder-node-kill' "
        "needs a process target, but 'edge-apac' offers: proxy"
    )
