"""From per-node capacities to node counts and cost per component, region and tier. Pure.

Per region: its own share of the tier's demand, plus the largest share that fails over to it
when one region dies (`FAILOVER`: each region's traffic goes to the next), plus headroom for
the growth the autoscaler cannot absorb (one 30 s window to notice, 45 s to scale out); then
ceil(load / per-node capacity), plus one spare node (N+1). Cost = nodes × the unit price
(per node-month).

The documented figures (`DOCUMENTED`) are the ones DESIGN.md and issue 17 state; where the
documented model disagrees with itself, `inconsistencies` says so instead of picking one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

TIERS = (20_000_000, 40_000_000, 50_000_000, 80_000_000, 127_000_000)
CREATORS = 500_000
SHARES = {"apac": 0.50, "na": 0.24, "eu": 0.16, "other": 0.10}
FAILOVER = {"apac": "na", "na": "eu", "eu": "other", "other": "apac"}
WINDOW_S, SCALE_OUT_S = 30.0, 45.0
GROWTH_PER_S = 10_000 / WINDOW_S  # the documented trigger step (+10K viewers) in one window


@dataclass(frozen=True)
class Documented:
    """One documented line: nodes at the documented peak (50M viewers), monthly cost."""

    nodes: int
    monthly_usd: float

    @property
    def unit_price(self) -> float:
        return self.monthly_usd / self.nodes


# issue 17: "edge 500 × c5n.4xlarge = $720K/month" (→ $1,440 per node-month). The other
# components' documented node counts and prices are not in this repository (DESIGN.md gives
# only the autoscaling triggers), so they have no default: give them in the spec.
DOCUMENTED: dict[str, Documented] = {"edge": Documented(500, 720_000.0)}
# DESIGN.md: "+10K viewers: +5 edge nodes; +50K: +2 transcoding clusters; +100K: +10 chat servers"
TRIGGER_PER_NODE = {"edge": 10_000 / 5, "transcoder": 50_000 / 2, "chat": 100_000 / 10}


@dataclass(frozen=True)
class Component:
    """A component to plan: what one node holds and how much of it each viewer/creator asks."""

    name: str
    per_node: float
    per_viewer: float = 0.0
    per_creator: float = 0.0
    unit_price: float | None = None


@dataclass(frozen=True)
class Line:
    component: str
    tier: int
    nodes: dict[str, int]
    monthly_usd: float | None

    @property
    def total(self) -> int:
        return sum(self.nodes.values())


def region_loads(demand: float, growth: float, headroom_s: float) -> dict[str, float]:
    """Demand each region must hold: own share + the largest failed-over share + headroom."""
    inflow = {region: 0.0 for region in SHARES}
    for dead, to in FAILOVER.items():
        inflow[to] = max(inflow[to], demand * SHARES[dead])
    return {
        r: demand * share + inflow[r] + growth * share * headroom_s for r, share in SHARES.items()
    }


def plan_line(component: Component, tier: int, *, growth_per_s: float = GROWTH_PER_S) -> Line:
    if component.per_node <= 0:
        raise ValueError(f"{component.name}: per-node capacity must be > 0")
    demand = tier * component.per_viewer + CREATORS * component.per_creator * tier / TIERS[2]
    growth = growth_per_s * (component.per_viewer + component.per_creator * CREATORS / TIERS[2])
    loads = region_loads(demand, growth, WINDOW_S + SCALE_OUT_S)
    nodes = {r: math.ceil(load / component.per_node) + 1 for r, load in loads.items()}
    price = component.unit_price
    if price is None and component.name in DOCUMENTED:
        price = DOCUMENTED[component.name].unit_price
    cost = None if price is None else price * sum(nodes.values())
    return Line(component.name, tier, nodes, cost)


def plan(
    components: list[Component], tiers: tuple[int, ...] = TIERS, growth_per_s: float = GROWTH_PER_S
) -> list[Line]:
    return [plan_line(c, t, growth_per_s=growth_per_s) for c in components for t in tiers]


def versus_documented(
    line: Line, documented: Mapping[str, Documented] = DOCUMENTED
) -> dict[str, float] | None:
    """Nodes and cost as ratios to the documented figures (documented at 50M viewers)."""
    doc = documented.get(line.component)
    if doc is None or line.tier != TIERS[2]:
        return None
    ratios = {"nodes_ratio": line.total / doc.nodes}
    if line.monthly_usd is not None:
        ratios["cost_ratio"] = line.monthly_usd / doc.monthly_usd
    return ratios


def inconsistencies(
    documented: Mapping[str, Documented] = DOCUMENTED,
    totals: Mapping[str, float] | None = None,
) -> list[str]:
    """Where the documented model contradicts itself: its peak node counts against its
    autoscaling triggers, and (when given) its several monthly totals against each other."""
    found = []
    for name, doc in documented.items():
        trigger = TRIGGER_PER_NODE.get(name)
        if trigger is None:
            continue
        implied = TIERS[2] / doc.nodes
        if not 0.5 <= implied / trigger <= 2:
            found.append(
                f"{name}: {doc.nodes} nodes for {TIERS[2]:,} viewers is {implied:,.0f} viewers "
                f"a node, but the autoscaling trigger adds a node per {trigger:,.0f} viewers "
                f"({implied / trigger:.0f}× apart)"
            )
    if totals and len(totals) > 1:
        low, high = min(totals.values()), max(totals.values())
        if high > low * 1.01:
            listed = ", ".join(f"{k} ${v:,.0f}" for k, v in totals.items())
            found.append(f"monthly totals disagree: {listed} ({high / low - 1:.0%} apart)")
    return found
