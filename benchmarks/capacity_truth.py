"""How close `livefire capacity` lands to the capacity stub's exact limit, over 20 seeds.

    python benchmarks/capacity_truth.py [--seeds 20] [--spec examples/capacity-stub.yaml]

Each seed sets both the stub's service times and the arrivals; each search runs the spec's
budget (85 s), so 20 seeds take about 30 minutes on 2 cores. Ends with one line:
    capacity_error_pct=MAX_ABS coverage=K/N found=F/N mean_error_pct=M truth=T
where coverage counts the seeds whose interval [highest pass, lowest fail] holds the truth.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--spec", type=Path, default=ROOT / "examples" / "capacity-stub.yaml")
    args = parser.parse_args()
    base = yaml.safe_load(args.spec.read_text())
    errors, covered, found, truth = [], 0, 0, None
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            spec = dict(base)
            spec["target"] = {"stub": {**base["target"]["stub"], "seed": seed}}
            spec["search"] = {**base["search"], "seed": seed}
            path = Path(tmp) / f"seed{seed}.yaml"
            path.write_text(yaml.safe_dump(spec))
            out = Path(tmp) / f"run{seed}"
            cmd = [sys.executable, "-m", "livefire", "capacity", str(path), "--out", str(out)]
            code = subprocess.run(cmd, capture_output=True, check=False).returncode
            doc = json.loads((out / "capacity.json").read_text())
            truth, low, high = doc["truth"], doc["interval"]["low"], doc["interval"]["high"]
            inside = low is not None and high is not None and low <= truth <= high
            covered += inside
            found += code == 0
            if doc["capacity"] is not None:
                errors.append(100 * (doc["capacity"] - truth) / truth)
            print(
                f"seed {seed}: exit {code} capacity {doc['capacity']} [{low}, {high}] "
                f"truth {truth:.1f} {'inside' if inside else 'OUTSIDE'}",
                flush=True,
            )
    worst = max((abs(e) for e in errors), default=float("nan"))
    mean = sum(errors) / len(errors) if errors else float("nan")
    print(
        f"capacity_error_pct={worst:.1f} coverage={covered}/{args.seeds} "
        f"found={found}/{args.seeds} mean_error_pct={mean:.1f} truth={truth:.1f}"
    )


if __name__ == "__main__":
    main()
