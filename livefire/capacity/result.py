"""capacity.json (schema livefire.capacity/1) from the search's steps: the verdict, the
binding SLO, the USL fit and the plan. Pure, so `--replan` rebuilds it from stored steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from livefire.capacity import plan as planning
from livefire.capacity.search import SearchResult
from livefire.capacity.usl import fit

SCHEMA = "livefire.capacity/1"
EXIT = {"found": 0, "inconclusive": 4}


def binding_slo(
    steps: list[Mapping[str, Any]], lowest_fail: float | None, slos: Mapping[str, float]
) -> str | None:
    """The SLO the lowest failing level broke by the widest margin (its lower bound / limit)."""
    failing = [s for s in steps if s["load"] == lowest_fail and s["outcome"] == "fail"]
    if not failing:
        return None
    bounds = failing[-1]["bounds"]
    broken = {k: bounds[k]["low"] / v for k, v in slos.items() if bounds.get(k) and v > 0}
    return max(broken, key=lambda k: broken[k]) if broken else None


def usl_json(steps: list[Mapping[str, Any]]) -> dict[str, Any]:
    points = [(s["concurrency"], s["throughput"]) for s in steps if s["outcome"] != "behind"]
    try:
        got = fit([p[0] for p in points], [p[1] for p in points], resamples=100)
    except ValueError as exc:
        return {"fitted": False, "reason": str(exc)}
    as_dict = {
        name: {"value": b.value, "low": b.low, "high": b.high}
        for name, b in (("lambda", got.lam), ("sigma", got.sigma), ("kappa", got.kappa))
    }
    return {
        "fitted": True,
        **as_dict,
        "r_squared": got.r_squared,
        "points": got.points,
        "peak_concurrency": got.peak_concurrency,
        "extrapolation_limit": 2 * got.max_measured,
    }


def plan_json(capacity: float | None, settings: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not settings or not capacity:
        return None
    component = planning.Component(
        settings["component"],
        capacity,
        settings.get("per_viewer", 0.0),
        settings.get("per_creator", 0.0),
        settings.get("unit_price"),
    )
    growth = settings.get("growth_per_s")
    lines = planning.plan(
        [component], growth_per_s=planning.GROWTH_PER_S if growth is None else growth
    )
    return {
        "per_node": capacity,
        "lines": [
            {
                "component": line.component,
                "tier": line.tier,
                "nodes": line.nodes,
                "total": line.total,
                "monthly_usd": line.monthly_usd,
                "versus_documented": planning.versus_documented(line),
            }
            for line in lines
        ],
        "documented_inconsistencies": planning.inconsistencies(),
    }


def build(
    name: str,
    result: SearchResult,
    steps: Sequence[Mapping[str, Any]],
    slos: Mapping[str, float],
    plan_settings: Mapping[str, Any] | None,
    truth: float | None = None,
) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "name": name,
        "status": result.status,
        "reason": result.reason,
        "capacity": result.highest_pass if result.status == "found" else None,
        "interval": {"low": result.highest_pass, "high": result.lowest_fail},
        "binding_slo": binding_slo(list(steps), result.lowest_fail, slos),
        "slos": dict(slos),
        "truth": truth,
        "steps": list(steps),
        "usl": usl_json(list(steps)),
        "plan": plan_json(result.highest_pass if result.status == "found" else None, plan_settings),
    }
