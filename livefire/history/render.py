"""A comparison as plain data (schema `livefire.compare/1`, docs/compare-schema.md) and as
the terminal summary. Both are pure; the CLI prints and writes them.

The JSON is built first and the text is rendered from the comparison, the same way a run's
report is the source of its formats, so what a nightly job parses and what a person reads
agree figure for figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from livefire.history.compare import (
    IMPROVED,
    NO_DATA,
    ONLY_BASELINE,
    ONLY_RUN,
    REGRESSED,
    VOID,
    WITHIN,
    Comparison,
    Row,
    Side,
)

SCHEMA = "livefire.compare/1"
SCHEMA_FILE = Path(__file__).resolve().parents[1] / "reports" / "compare.schema.json"
MARKS = {
    REGRESSED: "WORSE",
    IMPROVED: "better",
    WITHIN: "same",
    VOID: "VOID",
    ONLY_BASELINE: "gone",
    ONLY_RUN: "new",
    NO_DATA: "n/a",
}
RESULTS = {
    "ok": "OK",
    "regressed": "REGRESSED",
    "inconclusive": "INCONCLUSIVE",
    "aborted": "ABORTED",
}


def to_json(comparison: Comparison, baseline: str, run: str) -> dict[str, Any]:
    """The comparison as `compare.json` holds it; `baseline` and `run`: their directories."""
    return {
        "schema": SCHEMA,
        "scenario": comparison.scenario,
        "result": comparison.result,
        "baseline": {"path": baseline, "result": comparison.baseline_result},
        "run": {"path": run, "result": comparison.run_result},
        "tolerance": comparison.tolerance.to_json(),
        "regressions": [f"{r.promise}[{r.phase}]" for r in comparison.regressions],
        "rows": [_row(r) for r in comparison.rows],
        "notes": list(comparison.notes),
    }


def _row(row: Row) -> dict[str, Any]:
    return {
        "promise": row.promise,
        "phase": row.phase,
        "unit": row.unit,
        "better": row.better,
        "baseline": _side(row.baseline),
        "run": _side(row.run),
        "delta": row.delta,
        "allowed": row.allowed,
        "status": row.status,
        "why": row.why,
    }


def _side(side: Side | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {
        "measured": side.value,
        "found": side.found,
        "passed": side.passed,
        "threshold": side.threshold,
        "void": side.void,
    }


def summary(comparison: Comparison, baseline: str, run: str) -> list[str]:
    """One line per promise and phase, then the result naming every regression."""
    share = comparison.tolerance.tolerance
    lines = [
        f"livefire compare: {comparison.scenario}",
        f"  baseline {baseline} ({comparison.baseline_result})",
        f"  run      {run} ({comparison.run_result})",
        f"  tolerance: {share * 100:g}% of each promise's room"
        + (" (some promises have their own)" if comparison.tolerance.promises else ""),
    ]
    names = [f"{row.promise} [{row.phase}]" for row in comparison.rows]
    width = max([len("promise [phase]"), *map(len, names)])
    found = max([12, *(len(_found(s)) for r in comparison.rows for s in (r.baseline, r.run))])
    lines.append(
        f"  {'':6} {'promise [phase]':<{width}} {'baseline':>{found}} {'run':>{found}} "
        f"{'delta':>11} {'allowed':>10}"
    )
    for name, row in zip(names, comparison.rows, strict=True):
        lines.append(
            f"  {MARKS[row.status]:<6} {name:<{width}} {_found(row.baseline):>{found}} "
            f"{_found(row.run):>{found}} {delta(row.delta, row.unit):>11} "
            f"{magnitude(row.allowed, row.unit):>10}"
        )
    lines += [f"  note: {note}" for note in comparison.notes]
    result = comparison.result
    if result == "regressed":
        named = [f"{r.promise} ({r.phase}): {r.why}" for r in comparison.regressions]
        lines.append(f"RESULT: REGRESSED — {len(named)} promise(s) worse than the baseline:")
        lines += [f"  {n}" for n in named]
    elif result == "aborted":
        lines.append("RESULT: ABORTED — a run without a verdict cannot be compared")
    elif result == "inconclusive":
        void = [f"{r.promise} ({r.phase}): {r.why}" for r in comparison.rows if r.status == VOID]
        lines.append(f"RESULT: INCONCLUSIVE — nothing regressed, but {len(void)} not judged:")
        lines += [f"  {v}" for v in void]
    else:
        lines.append("RESULT: OK — no promise worse than the baseline past its tolerance")
    return lines


def _found(side: Side | None) -> str:
    return "—" if side is None else side.found


def delta(value: float | None, unit: str) -> str:
    """`+31 ms`, `-2.0 s`, `+23.3 pp` (percentage points), `+2`."""
    if value is None:
        return "—"
    return ("+" if value >= 0 else "-") + magnitude(abs(value), unit)


def magnitude(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.3g} pp"
    if unit == "count":
        return f"{value:g}"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def figure(value: float, unit: str) -> str:
    """A figure itself (not a change): `250 ms`, `8.0 s`, `99.9%`, `2`."""
    if unit == "ratio":
        return f"{value * 100:.4g}%"
    return magnitude(value, unit)
