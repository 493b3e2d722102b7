"""The watchdog: a process outside the conductor that reverts every fault whose TTL passed,
and every active fault once the conductor is gone — so even a kill -9 of livefire ends each
fault within its TTL (or within a second of the conductor's death).

    python -m chaos.watchdog --journal RUN_DIR --parent PID
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path

from chaos.journal import Journal, now
from chaos.safety import revert_active

POLL_S = 0.5


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch(journal: Journal, parent: int, stop: list[bool]) -> None:
    while not stop:
        orphaned = not (_alive(parent) and os.getppid() == parent)
        revert_active(journal, "watchdog", lambda e, gone=orphaned: gone or e.deadline <= now())
        if orphaned:
            return
        time.sleep(POLL_S)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m chaos.watchdog")
    parser.add_argument("--journal", type=Path, required=True, help="the run directory")
    parser.add_argument("--parent", type=int, required=True, help="the conductor's pid")
    parser.add_argument("--ready-file", type=Path)
    args = parser.parse_args()
    stop: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the conductor's word ends the watch
    if args.ready_file:
        tmp = args.ready_file.with_suffix(".tmp")
        tmp.write_text(f'{{"name": "watchdog", "pid": {os.getpid()}}}')
        os.replace(tmp, args.ready_file)
    watch(Journal(args.journal), args.parent, stop)


if __name__ == "__main__":
    main()
