"""How many HLS viewers one Locust worker core sustains: LeanHttpClient vs FastHttpUser.

    /work/venv/bin/python benchmarks/viewers_per_core.py [--steps 500,1000,...] [--measure 3]

Starts a stock nginx (worker_processes 1, pinned to the second core when there is one) serving
a live-like playlist that gains one 10 KB segment per second. Then, for each side in turn, a
subprocess pinned to the first core runs viewers under a real Locust Environment + LocalRunner:
every viewer polls the playlist once a second at its own random phase and then fetches the
newest segment (2 requests/s). The viewer count steps up; each step spawns, settles for
`--warmup` seconds and is measured for `--measure` seconds. A step passes when at least 95% of
requests leave within 50 ms of their intended time, at most 1% fail and the request rate is at
least 95% of the scheduled 2/s per viewer. The cores may be shared: `waited_pct` is the share
of the step the generator was runnable but waited for its core (/proc/self/schedstat). A
failing step is measured once more, and a third time if other processes took more than 5% of
the core (each time after a new warm-up); stepping stops at the first step whose attempts all
fail. Each side calls gc.freeze() after spawning, so full collections skip the users'
long-lived objects (--no-freeze: off).

The sides: "lean" is livefire's LeanHttpClient; "baseline" is the same viewer on Locust's stock
FastHttpUser client (geventhttpclient). Both report every request to Locust's statistics. A
playlist poll is intended at its slot, a segment at the moment its playlist was in hand. The
lean side's send time is stamped just before the send syscall; the baseline's just before
FastHttpSession.get (it exposes nothing later), which flatters the baseline slightly.
Loopback only; takes about two minutes.

Prints a table per step and ends with one line:
    viewers_per_core=N baseline_viewers_per_core=M ratio=N/M self_p99_ms=P
where N and M are the largest passing steps and P is the lean side's self-added send delay p99
(actual send − intended send) at N viewers. N equal to the largest step means "at least N".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

from live_origin import LiveOrigin, die_with_parent

HERE = Path(__file__).resolve().parent
DEFAULT_STEPS = "500,1000,1250,1500,2000,2500,3000,4000,5000,6000,7000"
COLUMNS = (
    "viewers",
    "attempt",
    "rps",
    "on_time_pct",
    "self_p50_ms",
    "self_p99_ms",
    "latency_p50_ms",
    "latency_p99_ms",
    "failures",
    "cpu_pct",
    "waited_pct",
    "passed",
)


def run_side(side: str, origin: LiveOrigin, args: argparse.Namespace, cpu: int) -> list[dict]:
    """Run one side's steps in a pinned subprocess; print and return its step results."""
    command = [sys.executable, str(HERE / "viewer_load.py"), "--side", side]
    command += ["--url", origin.playlist_url, "--steps", args.steps, "--cpu", str(cpu)]
    command += ["--warmup", str(args.warmup), "--measure", str(args.measure)]
    command += ["--no-freeze"] if args.no_freeze else []
    print(f"\n{side}: {'  '.join(COLUMNS)}", flush=True)
    steps: list[dict] = []
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: die_with_parent(signal.SIGKILL),
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            step = json.loads(line)
            steps.append(step)
            print(f"{side}: " + "  ".join(str(step[column]) for column in COLUMNS), flush=True)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return steps


def capacity(steps: list[dict]) -> dict | None:
    """The largest step that passed, if any."""
    passed = [step for step in steps if step["passed"]]
    return max(passed, key=lambda step: step["viewers"]) if passed else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", default=DEFAULT_STEPS, help="viewer counts, ascending")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--measure", type=float, default=3.0, help="seconds measured per step")
    parser.add_argument("--no-freeze", action="store_true", help="no gc.freeze() after spawning")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # nginx inherits it
    cores = sorted(os.sched_getaffinity(0))
    load_cpu, nginx_cpu = cores[0], (cores[1] if len(cores) > 1 else None)
    print(f"load generator on core {load_cpu}, nginx on core {nginx_cpu}, nofile={hard}")
    started = time.monotonic()
    with LiveOrigin(cpu=nginx_cpu) as origin:
        lean = run_side("lean", origin, args, load_cpu)
        baseline = run_side("baseline", origin, args, load_cpu)
    best, base = capacity(lean), capacity(baseline)
    viewers = best["viewers"] if best else 0
    base_viewers = base["viewers"] if base else 0
    ratio = f"{viewers / base_viewers:.2f}" if base_viewers else "inf"
    self_p99 = best["self_p99_ms"] if best else float("nan")
    print(f"\n({time.monotonic() - started:.0f} s)")
    print(
        f"viewers_per_core={viewers} baseline_viewers_per_core={base_viewers} "
        f"ratio={ratio} self_p99_ms={self_p99}"
    )


if __name__ == "__main__":
    main()
