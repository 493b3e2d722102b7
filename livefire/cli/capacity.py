"""`livefire capacity SPEC.yaml`: a component's breaking point, its USL fit and the plan."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from livefire.base.errors import SetupError
from livefire.capacity import result as results
from livefire.capacity.runner import Step, run, truth
from livefire.capacity.search import SearchResult
from livefire.capacity.spec import CapacitySpec
from livefire.scenario.loader import load_model

EXAMPLES = """examples:
  livefire capacity examples/capacity-stub.yaml          search, then runs/capacity-NAME-TIME/
                                                         capacity.json and a summary
  livefire capacity SPEC.yaml --out runs/cap1            write there instead
  livefire capacity SPEC.yaml --replan runs/cap1         the plan again from runs/cap1's stored
                                                         steps (no load), e.g. after editing
                                                         the spec's plan: block

exit codes: 0 capacity found (and >= require), 1 below require, 2 bad spec or setup,
3 aborted, 4 inconclusive (budget ran out, the limit is blurred, or the generator fell behind)
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "capacity",
        help="find a component's breaking point, fit the USL, plan nodes and cost",
        description="Offer open arrivals at levels found by doubling, then bisection; a level "
        "passes when every SLI's upper confidence bound (block bootstrap over per-second "
        "histograms) is inside its SLO, fails when a lower bound is outside, and is held "
        "again when uncertain. Stops when the highest pass and the lowest fail are within "
        "the tolerance, or the budget runs out (inconclusive, both bounds reported).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", type=Path, help="the capacity spec (YAML)")
    parser.add_argument("--out", type=Path, help="run directory (default runs/capacity-...)")
    parser.add_argument("--replan", type=Path, metavar="RUN_DIR", help="replan without load")
    parser.set_defaults(handler=handle)


def _write(path: Path, doc: dict[str, Any]) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    os.replace(tmp, path)


def _line(step: Step) -> None:
    bounds = ", ".join(
        f"{k} {b.value / 1000:.0f} ms [{b.low / 1000:.0f}, {b.high / 1000:.0f}]"
        if k.startswith("latency")
        else f"{k} {b.value:.2%}"
        for k, b in step.bounds.items()
        if b is not None
    )
    print(
        f"  {step.elapsed_s:6.1f}s  load {step.load:9.1f}/s  try {step.attempt}  "
        f"{step.outcome.value:9}  {step.throughput:8.1f}/s served  {bounds}",
        flush=True,
    )


def _summary(doc: dict[str, Any], path: Path) -> None:
    low, high = doc["interval"]["low"], doc["interval"]["high"]
    print(f"{doc['name']}: {doc['status'].upper()} ({doc['reason']})")
    print(f"  capacity {doc['capacity']} /s, breaking point in [{low}, {high}]")
    print(f"  binding SLO: {doc['binding_slo']}")
    if doc["truth"] is not None:
        print(f"  truth (stub, exact): {doc['truth']:.1f} /s")
    usl = doc["usl"]
    if usl["fitted"]:
        print(
            f"  USL: λ={usl['lambda']['value']:.3g} σ={usl['sigma']['value']:.3g} "
            f"κ={usl['kappa']['value']:.3g} R²={usl['r_squared']:.3f} N*={usl['peak_concurrency']}"
        )
    for line in (doc["plan"] or {}).get("lines", []):
        cost = (
            f"${line['monthly_usd']:,.0f}/month" if line["monthly_usd"] is not None else "no price"
        )
        print(f"  plan {line['component']} @ {line['tier']:,}: {line['total']} nodes, {cost}")
    print(f"  {path}")


def handle(args: argparse.Namespace) -> int:
    spec = load_model(args.spec, CapacitySpec)
    plan_settings = spec.plan.model_dump() if spec.plan else None
    if args.replan:
        stored = args.replan / "capacity.json"
        try:
            old = json.loads(stored.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise SetupError(f"{stored}: cannot read a capacity result: {exc}") from None
        found = SearchResult(
            old["status"], old["interval"]["low"], old["interval"]["high"], old["reason"]
        )
        doc = results.build(
            old["name"], found, old["steps"], old["slos"], plan_settings, old["truth"]
        )
        _write(stored, doc)
        _summary(doc, stored)
        return _exit(doc, spec)
    out = args.out or Path("runs") / f"capacity-{spec.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    print(f"{spec.name}: searching (budget {spec.search.budget:g} s)", flush=True)
    search, steps = run(spec, out, _line)
    found = search.result() or search.out_of_time()
    stored_steps = [s.to_json() for s in steps]
    doc = results.build(spec.name, found, stored_steps, spec.slos, plan_settings, truth(spec))
    _write(out / "capacity.json", doc)
    _summary(doc, out / "capacity.json")
    return _exit(doc, spec)


def _exit(doc: dict[str, Any], spec: CapacitySpec) -> int:
    code = results.EXIT[doc["status"]]
    if code == 0 and spec.require is not None and doc["capacity"] < spec.require:
        return 1
    return code
