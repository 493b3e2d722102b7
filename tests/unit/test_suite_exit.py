"""`livefire suite`'s exit code and JUnit from the runs' results, without running any."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from livefire.cli.suite import _write_junit, exit_code


@pytest.mark.parametrize(
    ("results", "code"),
    [
        ([("pass", True), ("fail", True)], 0),  # a negative control failing as expected
        ([("pass", True), ("inconclusive", False)], 4),
        ([("inconclusive", False), ("fail", False)], 1),  # something failed: 1 wins
        ([("inconclusive", False), ("pass", False)], 1),  # a control that did not fail
        ([("inconclusive", False), ("aborted", False)], 3),
        ([], 0),
    ],
)
def test_an_inconclusive_run_exits_4_unless_something_failed(
    results: list[tuple[str, bool]], code: int
) -> None:
    assert exit_code(results) == code


def test_junit_shows_an_inconclusive_run_as_an_error_not_a_failure(tmp_path: Path) -> None:
    def item(name: str) -> SimpleNamespace:
        return SimpleNamespace(
            scenario=SimpleNamespace(name=name), source=SimpleNamespace(file=f"{name}.yaml")
        )

    report = {
        "scenario": "a", "status": "completed", "result": "inconclusive", "faults": [],
        "checks": [], "revert_failures": [], "inconclusive": ["telemetry gap: 1 worker(s)"],
    }  # fmt: skip
    path = tmp_path / "suite.xml"
    _write_junit(path, [(item("a"), report, False, "expected result pass, got inconclusive")])
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None and (suite.get("failures"), suite.get("errors")) == ("0", "1")
    error = suite.find("testcase/error")
    assert error is not None and error.get("type") == "Inconclusive"
    assert error.get("message") == "telemetry gap: 1 worker(s)"
