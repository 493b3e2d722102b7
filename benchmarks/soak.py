"""Soak: a reference-platform game day played for hours, memory sampled as it goes.

    .venv/bin/python benchmarks/soak.py --duration 2h [--every 10m] [--scenario FILE]

Plays the scenario (baseline.yaml by default: viewers, chatters, gifters, searchers, a creator)
through `livefire run`, stretched to `--duration` (its ramp kept, its hold lengthened, its
faults dropped: a soak asks whether anything grows, not whether a fault recovers). Every
`--every` it prints the resident memory of the conductor, the Locust master, each worker and
the platform (the sum of its processes), found by the run's marker in their environment.
Growth is measured from the first sample (the run warmed up) to the last. Documented, not in
CI (it takes as long as you ask). Last line:
`soak_s=.. conductor_growth_mb=.. master_growth_mb=.. worker_growth_mb=.. peak_rss_mb=.. result=..`
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from _procs import ROOT, rss_kb

from livefire.base.processes import stragglers
from livefire.base.units import parse_duration


def role(pid: int, conductor: int) -> str:
    """conductor, master, worker or platform, from the process's command line."""
    if pid == conductor:
        return "conductor"
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    if b"--master" in argv and b"locust" in b" ".join(argv):
        return "master"
    if b"--worker" in argv:
        return "worker"
    return "platform"


def sample(run_dir: Path, conductor: int) -> dict[str, float]:
    """MB per role; workers each on their own (worker-1, worker-2, ...)."""
    mb: dict[str, float] = {"conductor": rss_kb(conductor) / 1024, "platform": 0.0}
    workers = 0
    for pid in sorted(stragglers(run_dir)):
        kind = role(pid, conductor)
        try:
            rss = rss_kb(pid) / 1024
        except OSError:
            continue
        if kind == "worker":
            workers += 1
            mb[f"worker-{workers}"] = rss
        elif kind in ("master", "platform"):
            mb[kind] = mb.get(kind, 0.0) + rss
    return mb


def stretched(scenario: dict, duration: float) -> dict:  # type: ignore[type-arg]
    """The scenario lasting `duration`: its ramps kept, one hold to the end, no faults."""
    ramps = [step for step in scenario["load"].get("shape", []) if "ramp" in step]
    ramp_s = sum(parse_duration(step["ramp"]) for step in ramps)
    scenario = {**scenario, "name": f"{scenario['name']}-soak", "duration": f"{duration:g}s"}
    scenario["load"] = {**scenario["load"], "shape": [*ramps, {"hold": f"{duration - ramp_s:g}s"}]}
    scenario.pop("faults", None)
    scenario.pop("expect", None)
    return scenario


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="2h", help="how long to play (default 2h)")
    parser.add_argument("--every", default="10m", help="sampling interval (default 10m)")
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    parser.add_argument("--keep", type=Path, help="keep the run directory here")
    args = parser.parse_args()
    duration, every = parse_duration(args.duration), parse_duration(args.every)
    scenario = stretched(yaml.safe_load(args.scenario.read_text()), duration)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "soak.yaml"
        path.write_text(yaml.safe_dump(scenario, sort_keys=False))
        run_dir = (args.keep or Path(tmp) / "run").resolve()
        run = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "livefire",
                "run",
                str(path),
                "--run-dir",
                str(run_dir),
                "--quiet",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        samples: list[tuple[float, dict[str, float]]] = []
        started = time.monotonic()
        try:
            while run.poll() is None:
                elapsed = time.monotonic() - started
                wait = every * (len(samples) + 1) - elapsed
                if wait > 0:
                    try:
                        run.wait(timeout=wait)
                        break
                    except subprocess.TimeoutExpired:
                        pass
                mb = sample(run_dir, run.pid)
                samples.append((time.monotonic() - started, mb))
                shown = "  ".join(f"{k} {v:7.1f}" for k, v in mb.items())
                print(f"t={samples[-1][0] / 60:6.1f} min  {shown}  (MB RSS)", flush=True)
        finally:
            if run.poll() is None:
                run.terminate()
            run.wait(timeout=120)
        report = run_dir / "report.json"
        result = json.loads(report.read_text())["result"] if report.exists() else "none"
    if len(samples) < 2:
        print("fewer than two samples: lengthen --duration or shorten --every", file=sys.stderr)
        return 2
    first, last = samples[0][1], samples[-1][1]

    def growth(prefix: str) -> float:
        keys = [k for k in last if k.startswith(prefix) and k in first]
        return max((last[k] - first[k] for k in keys), default=0.0)

    peak = max(v for _, mb in samples for v in mb.values())
    print(
        f"soak_s={duration:g} conductor_growth_mb={growth('conductor'):.1f} "
        f"master_growth_mb={growth('master'):.1f} worker_growth_mb={growth('worker'):.1f} "
        f"platform_growth_mb={growth('platform'):.1f} peak_rss_mb={peak:.0f} result={result}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
