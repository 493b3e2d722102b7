"""The latency budget: each stage of a segment's way to the viewer beside its documented budget
(200 ms glass-to-glass = ingest 30 + transcoding 80 + edge 40 + last mile 50).

Pure: merged per-second stage histograms in (recorded by viewers from the platform's
X-Stage-Times, `livefire.base.stages`), plain data out. Information, never a verdict: a
platform that stamps nothing has no budget section at all, not a zero nor a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from livefire.base import stages
from livefire.base import telemetry as tm
from livefire.base.percentiles import nearest_rank
from livefire.verdict.slis import merged, total


def _ms(hist: tm.Histogram, q: float) -> float | None:
    value = nearest_rank(hist, q)
    return None if value is None else round(value / 1000, 1)


def _stage(stage: stages.Stage, hist: tm.Histogram) -> dict[str, Any]:
    return {
        "name": stage.name.removeprefix("stage_"),
        "from": stage.start,
        "to": stage.end,
        "documented": stage.documented,
        "budget_ms": stage.budget_ms,
        "samples": hist.get_total_count(),
        "mean_ms": round(float(hist.get_mean_value()) / 1000, 1),
        "p50_ms": _ms(hist, 50),
        "p95_ms": _ms(hist, 95),
    }


def latency_budget(series: Sequence[tm.Second]) -> dict[str, Any] | None:
    """Each measured stage (p50, p95, mean, share of the budgeted stages' summed means, its
    budget) and the whole captured → last byte; None when no segment carried stage stamps.

    Shares come from means because means add up (the stages' means sum to the total's mean,
    segment by segment); percentiles of stages do not sum to the total's percentile."""
    disordered = total(series, tm.STAGE_STAMPS_DISORDERED)
    found = {}
    for stage in stages.STAGES:
        hist = merged(series, stage.name)
        if hist is not None and hist.get_total_count():
            found[stage.name] = _stage(stage, hist)
    if not found and not disordered:
        return None
    whole = found.pop("stage_total", None)
    budgeted = [found[s.name] for s in stages.BUDGETED if s.name in found]
    summed = sum(row["mean_ms"] for row in budgeted)
    for row in found.values():
        row["share"] = round(row["mean_ms"] / summed, 3) if summed else None
        budget = row["budget_ms"]
        row["budget_share"] = None if budget is None else budget / stages.DOCUMENTED_TOTAL_MS
    return {
        "header": stages.HEADER,
        "stages": list(found.values()),
        "total": whole,
        "disordered": disordered,
    }


def budget_lines(section: dict[str, Any] | None) -> list[str]:
    """The summary's lines: one per stage, measured beside its budget, and the whole."""
    if not section:
        return []
    lines = []
    for row in section["stages"]:
        budget = row["budget_ms"]
        beside = f"budget {budget:g} ms" if budget is not None else row["documented"]
        share = "" if row["share"] is None else f", {row['share'] * 100:.0f}% of the total"
        lines.append(
            f"  stage  {row['name']:<18} p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
            f"mean {row['mean_ms']} ms{share} ({beside}; {row['from']} → {row['to']})"
        )
    if whole := section.get("total"):
        lines.append(
            f"  stage  {'captured → viewer':<18} p50 {whole['p50_ms']} ms, p95 "
            f"{whole['p95_ms']} ms, mean {whole['mean_ms']} ms (budget "
            f"{stages.DOCUMENTED_TOTAL_MS:g} ms; {whole['samples']} segments)"
        )
    if section.get("disordered"):
        lines.append(
            f"  stage  {section['disordered']} segment(s) with stamps running backwards: not used"
        )
    return lines
