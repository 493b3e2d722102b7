"""Whether a run came out as its scenario expects: negative controls are expected to fail,
naming the right promise, and only then are they green in a suite."""

from __future__ import annotations

from typing import Any

from livefire.scenario.slos import Expect


def meets(expect: Expect, report: dict[str, Any]) -> tuple[bool, str]:
    """(as expected?, why not)."""
    result = report["result"]
    if result != expect.result:
        return False, f"expected result {expect.result}, got {result}"
    broken = {c["promise"] for c in report["checks"] if not c["passed"] and not c.get("void")}
    missing = [p for p in expect.broken if p not in broken]
    if missing:
        return False, f"expected {', '.join(missing)} to break; broken: {sorted(broken)}"
    return True, ""
