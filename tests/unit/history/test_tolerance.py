"""The scenario's `compare:` block: shares and durations, unknown promises refused with a
suggestion, and the block recorded in the report the comparison reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from livefire.base.errors import ScenarioError
from livefire.scenario import load_scenario
from livefire.scenario.compare import DEFAULT_TOLERANCE, CompareSpec, Tolerance

SCENARIO = """name: t
duration: 20s
target:
  embedded: {topology: default}
load:
  users: {viewer: 2}
  shape: [{hold: 20s}]
slos:
  stream_latency_p95: 250ms
"""


def test_the_default_is_a_tenth_of_each_promises_room() -> None:
    spec = CompareSpec()
    assert spec.tolerance == DEFAULT_TOLERANCE == 0.1
    assert spec.for_promise("stream_latency_p95").allowed(0.25) == pytest.approx(0.025)


def test_percentages_are_shares_and_durations_absolute() -> None:
    spec = CompareSpec.model_validate(
        {
            "tolerance": "20%",
            "promises": {
                "stream_latency_p95": "5%",
                "recovery": "2s",
                "recovery:cdn-region-blackhole": "100%",
                "chat_delivered_within_100ms": 0.3,
            },
        }
    )
    assert spec.tolerance == pytest.approx(0.2)
    assert spec.for_promise("stream_latency_p95") == Tolerance(share=0.05)
    assert spec.for_promise("recovery:edge-latency") == Tolerance(absolute=2.0)
    assert spec.for_promise("recovery:cdn-region-blackhole") == Tolerance(share=1.0)
    assert spec.for_promise("chat_delivered_within_100ms") == Tolerance(share=0.3)
    assert spec.for_promise("viewer_error_rate") == Tolerance(share=0.2)
    # and it survives the round trip through report.json
    assert CompareSpec.model_validate(spec.to_json()) == spec


def test_unknown_promises_and_durations_for_ratios_are_refused() -> None:
    with pytest.raises(ValidationError, match="unknown promise 'stream_latncy_p95'; did you mean"):
        CompareSpec.model_validate({"promises": {"stream_latncy_p95": "5%"}})
    with pytest.raises(ValidationError, match="viewer_error_rate: a duration is an allowance"):
        CompareSpec.model_validate({"promises": {"viewer_error_rate": "20ms"}})
    with pytest.raises(ValidationError, match="expected a share"):
        CompareSpec.model_validate({"promises": {"stream_latency_p95": "fast"}})


def test_a_bad_compare_block_is_refused_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(SCENARIO + "compare:\n  tolerance: 10%\n  promises: {stream_latncy_p95: 5%}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    [problem] = err.value.problems
    assert problem.line == 12 and problem.path == "compare.promises.stream_latncy_p95"
    assert "did you mean 'stream_latency_p95'" in problem.message


def test_a_scenario_without_the_block_gets_the_default(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(SCENARIO)
    assert load_scenario(path).scenario.compare == CompareSpec()
