"""Reports to compare: the real smoke report (tests/fixtures/reports), with its checks
replaced by the few each test needs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "reports" / "smoke.report.json"

Report = dict[str, Any]


def check(
    promise: str,
    measured: float | None,
    threshold: float,
    expected: str,
    *,
    phase: str = "overall",
    passed: bool | None = None,
    found: str | None = None,
    void: str = "",
) -> dict[str, Any]:
    """One check as report.json holds it; `passed` defaults to what the comparator says."""
    if passed is None:
        holds = (
            (lambda m: m <= threshold) if expected.startswith("<") else (lambda m: m >= threshold)
        )
        passed = measured is not None and holds(measured)
    return {
        "promise": promise,
        "phase": phase,
        "threshold": threshold,
        "measured": measured,
        "passed": passed,
        "expected": expected,
        "found": found
        if found is not None
        else ("no data" if measured is None else f"{measured:g}"),
        "documented": "",
        "void": void,
    }


def report(*checks: dict[str, Any], scenario: str = "smoke", **fields: Any) -> Report:
    """The smoke report with these checks (and fields, e.g. compare=..., result=...)."""
    base = copy.deepcopy(json.loads(FIXTURE.read_text()))
    base.update(scenario=scenario, checks=list(checks), **fields)
    return dict(base)
