"""Two runs of one scenario, promise by promise: a pure function of two reports.

Each check of the run is paired with the baseline's check of the same promise and phase
(recovery checks too: their figure is the recovery time). The direction comes from the
promise itself — `<=` means lower is better, `>=` higher — so a latency going up and a
delivery ratio going down are both "worse". How much worse is allowed is the run's
`compare` tolerance (see `livefire.scenario.compare`): a share of the promise's room.

A row is a regression when the figure got worse by more than that, when a promise the
baseline held is now broken, or when the run has no figure where the baseline had one.
A void check on either side is not judged (status `void`), since a doubt applies to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from livefire.base.errors import RunDirError
from livefire.scenario.compare import CompareSpec, Tolerance
from livefire.verdict.slis import SLIS

Report = dict[str, Any]

# row statuses, worst first
REGRESSED = "regressed"  # worse past the tolerance, newly broken, or no figure any more
VOID = "void"  # a doubt applies to one side: not judged either way
IMPROVED = "improved"  # better past the tolerance
WITHIN = "within"  # moved no more than the tolerance either way
ONLY_BASELINE = "only_baseline"  # the scenario no longer makes this promise
ONLY_RUN = "only_run"  # a promise the baseline did not make
NO_DATA = "no_data"  # neither run measured it
STATUSES = (REGRESSED, VOID, IMPROVED, WITHIN, ONLY_BASELINE, ONLY_RUN, NO_DATA)

COUNTS = ("gifts_lost", "gifts_doubled")


@dataclass(frozen=True)
class Side:
    """One run's check, as far as a comparison needs it."""

    value: float | None  # base unit; a held check with no figure ("no visible effect") is 0
    found: str  # the report's human form, e.g. "312 ms", "no visible effect"
    passed: bool
    void: str = ""
    threshold: float | None = None


@dataclass(frozen=True)
class Row:
    promise: str
    phase: str
    unit: str  # s | ratio | count
    better: str  # "lower" | "higher"
    baseline: Side | None
    run: Side | None
    delta: float | None  # run − baseline, base unit
    allowed: float | None  # how much worse the run may be, base unit
    status: str
    why: str = ""  # for a regression: what crossed what


@dataclass(frozen=True)
class Comparison:
    scenario: str
    rows: tuple[Row, ...]
    tolerance: CompareSpec
    baseline_result: str
    run_result: str
    notes: tuple[str, ...] = field(default=())

    @property
    def regressions(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.status == REGRESSED)

    @property
    def result(self) -> str:
        """regressed | aborted (a run without a verdict) | inconclusive (a row void, none
        regressed) | ok."""
        if "aborted" in (self.baseline_result, self.run_result):
            return "aborted"
        if self.regressions:
            return "regressed"
        return "inconclusive" if any(r.status == VOID for r in self.rows) else "ok"


def compare(
    baseline: Report, run: Report, names: tuple[str, str] = ("BASELINE", "RUN")
) -> Comparison:
    """Pair every check of `run` with `baseline`'s. `names` (how each is shown, e.g. their
    directories) go into the refusal when the runs are of different scenarios."""
    if baseline.get("scenario") != run.get("scenario"):
        raise RunDirError(
            f"cannot compare runs of different scenarios: {names[0]} is a run of "
            f"{baseline.get('scenario')!r}, {names[1]} a run of {run.get('scenario')!r}"
        )
    try:
        spec = CompareSpec.model_validate(run.get("compare") or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("compare", *first["loc"]))
        raise RunDirError(f"{names[1]}: {where}: {first['msg']}") from None
    before = {_key(c): c for c in baseline.get("checks") or []}
    after = {_key(c): c for c in run.get("checks") or []}
    rows = [_row(key, before.get(key), check, spec) for key, check in after.items()]
    rows += [_row(key, check, None, spec) for key, check in before.items() if key not in after]
    notes = tuple(
        f"{name} was {report.get('result')}: {report.get('error') or 'no verdict to compare'}"
        for name, report in zip(names, (baseline, run), strict=True)
        if report.get("result") == "aborted"
    )
    return Comparison(
        str(run.get("scenario")),
        tuple(rows),
        spec,
        str(baseline.get("result")),
        str(run.get("result")),
        notes,
    )


def _key(check: dict[str, Any]) -> tuple[str, str]:
    return str(check.get("promise")), str(check.get("phase"))


def _row(
    key: tuple[str, str], old: dict[str, Any] | None, new: dict[str, Any] | None, spec: CompareSpec
) -> Row:
    promise, phase = key
    either = new if new is not None else old
    assert either is not None
    better = direction(promise, str(either.get("expected", "")))
    unit = unit_of(promise, either)
    base, now = _side(old, better), _side(new, better)
    either_side = now or base
    threshold = None if either_side is None else either_side.threshold
    allowed = _allowed(spec.for_promise(promise), threshold, better, unit)
    delta = None
    if base is not None and now is not None and base.value is not None and now.value is not None:
        delta = now.value - base.value
    status, why = _status(base, now, delta, allowed, better)
    if status == REGRESSED and base and now and base.threshold != now.threshold:
        was, is_now = (str(c.get("expected", "")) for c in (old or {}, new or {}))
        why += f" (the promise itself changed: {was} → {is_now})"
    return Row(promise, phase, unit, better, base, now, delta, allowed, status, why)


def direction(promise: str, expected: str) -> str:
    """ "lower" or "higher" is better: from the promise's comparator (`<= 250 ms`), else the
    SLI it is named after; recovery times and ledger counts are "at most" promises."""
    text = expected.strip()
    if text.startswith(("<=", "<")):
        return "lower"
    if text.startswith((">=", ">")):
        return "higher"
    if promise in SLIS:
        return "higher" if SLIS.get(promise).higher_is_better else "lower"
    return "higher" if promise == "gift_eventual_consistency" else "lower"


def unit_of(promise: str, check: dict[str, Any]) -> str:
    """s | ratio | count. Recovery times are seconds; the ledger's lost and doubled gifts are
    counts (older reports call them seconds)."""
    if promise in SLIS:
        return SLIS.get(promise).unit
    if promise.startswith("recovery:"):
        return "s"
    if promise in COUNTS:
        return "count"
    if promise in ("gift_eventual_consistency", "gifts_reconciled"):
        return "ratio"
    return str(check.get("unit") or "s")


def _side(check: dict[str, Any] | None, better: str) -> Side | None:
    if check is None:
        return None
    passed = bool(check.get("passed"))
    value = _number(check.get("measured"))
    if value is None and passed and better == "lower":
        value = 0.0  # held without a figure: "no visible effect", nothing to recover from
    return Side(
        value,
        str(check.get("found", "")),
        passed,
        str(check.get("void") or ""),
        _number(check.get("threshold")),
    )


def room(threshold: float, better: str, unit: str) -> float:
    """The distance between a perfect figure and the promised one (see scenario.compare)."""
    if better == "higher" and unit == "ratio":
        return max(0.0, 1.0 - threshold)
    return abs(threshold)


def _allowed(tolerance: Tolerance, threshold: float | None, better: str, unit: str) -> float | None:
    if tolerance.absolute is not None:
        return tolerance.absolute
    if threshold is None:
        return None
    return tolerance.allowed(room(threshold, better, unit))


def _status(
    base: Side | None, now: Side | None, delta: float | None, allowed: float | None, better: str
) -> tuple[str, str]:
    if base is None:
        return ONLY_RUN, ""
    if now is None:
        return ONLY_BASELINE, ""
    if base.void or now.void:
        return VOID, now.void or base.void
    if now.value is None:
        if base.value is None:
            return NO_DATA, ""
        return REGRESSED, f"no figure any more ({now.found}); the baseline measured {base.found}"
    if base.passed and not now.passed:
        return REGRESSED, f"broken now ({now.found}), held in the baseline ({base.found})"
    if now.passed and not base.passed:
        return IMPROVED, ""  # held now, broken in the baseline
    if base.value is None:
        return WITHIN, ""  # a figure where the baseline had none, on the same side of it
    worse = (delta or 0.0) if better == "lower" else -(delta or 0.0)
    limit = math.inf if allowed is None else allowed
    if worse > limit + _EPSILON:
        return REGRESSED, f"{base.found} → {now.found}, worse by more than the tolerance"
    if -worse > limit + _EPSILON:
        return IMPROVED, ""
    return WITHIN, ""


_EPSILON = 1e-12  # figures are rounded in reports; equal must not read as worse


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
