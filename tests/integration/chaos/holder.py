"""A stand-in conductor: starts a watchdog as its child, injects a proxy disable through a
FaultSession, says so on stdout, then sleeps until killed.

    python -m tests.integration.chaos.holder RUN_DIR PROXY_API PROXY TTL
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from chaos.drivers.proxy import disable_driver
from chaos.journal import Journal
from chaos.safety import FaultSession


def main() -> None:
    run_dir, api, proxy, ttl = Path(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
    watchdog = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chaos.watchdog",
            "--journal",
            str(run_dir),
            "--parent",
            str(os.getpid()),
        ]
    )
    FaultSession(Journal(run_dir)).inject(
        "f0", "cdn-region-blackhole", proxy, disable_driver(api, proxy), ttl
    )
    print(f"injected {watchdog.pid}", flush=True)
    time.sleep(120)


if __name__ == "__main__":
    main()
