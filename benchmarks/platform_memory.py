"""Memory of the whole default platform at rest (no viewers), after it has settled.

    /work/venv/bin/python benchmarks/platform_memory.py [--settle 10] [--topology default]

Starts the platform with the launcher `livefire run` uses, waits `--settle` seconds, then sums
every process of the run (found by the run-dir marker: components, proxies, Redis). RSS counts
shared pages (the Python runtime, libav) once per process; PSS splits them, so its sum is what
the platform really costs. Last line: `platform_rss_mb=.. platform_pss_mb=.. processes=..`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _procs import pss_kb, rss_kb
from livefire_stubs.launcher import start_platform
from livefire_stubs.topology import load_topology

from livefire.base.processes import stragglers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=10.0)
    parser.add_argument("--topology", default="default")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp).resolve()
        started = time.monotonic()
        platform = start_platform(run_dir, load_topology(args.topology))
        up_s = time.monotonic() - started
        try:
            time.sleep(args.settle)
            names = {c["pid"]: name for name, c in platform.describe().components.items()}
            pids = stragglers(run_dir)
            rss = {pid: rss_kb(pid) for pid in pids}
            pss = {pid: pss_kb(pid) for pid in pids}
        finally:
            platform.stop()
    for pid in sorted(pids, key=lambda p: -pss[p]):
        name = names.get(pid, pid)
        print(f"{name!s:<18} rss {rss[pid] / 1024:6.1f} MB  pss {pss[pid] / 1024:6.1f} MB")
    total_rss, total_pss = sum(rss.values()) / 1024, sum(pss.values()) / 1024
    print(
        f"platform_rss_mb={total_rss:.0f} platform_pss_mb={total_pss:.0f} "
        f"processes={len(pids)} startup_s={up_s:.1f}"
    )


if __name__ == "__main__":
    main()
