"""Every game day shipped in `scenarios/` is valid as `livefire run` would find it before
anything starts: it loads, each fault aims at a target of the embedded platform that takes
its kind, and a negative control names promises the verdict will actually judge."""

from __future__ import annotations

from pathlib import Path

import pytest

from livefire.scenario import load_scenario
from livefire.target import check_targets, topology_for
from livefire.verdict.engine import evaluate
from livefire.verdict.reconcile import reconcile

SHIPPED = sorted((Path(__file__).parents[2] / "scenarios").glob("*.yaml"))


def test_the_gallery_is_there() -> None:
    names = {path.stem for path in SHIPPED}
    assert {"baseline", "smoke", "viral-spike"} <= names
    for failure in ("cdn-region-outage", "transcoder-failure", "database-partition"):
        assert failure in names
    assert "gift-payment-timeout" in names


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario_is_valid_and_target_checked(path: Path) -> None:
    loaded = load_scenario(path)
    assert loaded.scenario.target.embedded is not None, "the gallery runs on the embedded platform"
    check_targets(loaded, topology_for(loaded).target_kinds())  # raises ScenarioError


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_expected_broken_promises_are_ones_the_verdict_judges(path: Path) -> None:
    """The verdict, run on no telemetry, still lists every promise the scenario declares (as
    'no data'): those are the names `expect.broken` may use."""
    scenario = load_scenario(path).scenario
    gifts = scenario.slos.gifts
    found = reconcile([], [], gifts.deadline) if gifts is not None else None
    verdict = evaluate([], scenario.slos, 0.0, scenario.duration, [], found, {})
    judged = {check.promise for check in verdict.checks}
    assert set(scenario.expect.broken) <= judged, sorted(judged)
    if scenario.expect.result == "fail":
        assert scenario.expect.broken, "a negative control must name the promise it breaks"
