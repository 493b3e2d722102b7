"""The watchdog: a process outside the conductor that reverts every fault whose TTL passed,
and every active fault once the conductor is gone — so even a kill -9 of livefire ends each
fault within its TTL (or within a second of the conductor's death).

    python -m chaos.watchdog --journal RUN_DIR --parent PID [--adopted] [--until-idle]

By default PID must be the watchdog's own parent (so a recycled pid is never mistaken for
it). `livefire chaos inject` watches the operator's shell instead, which is not its parent:
it passes `--adopted` (PID only has to be alive) and `--until-idle` (exit once the journal
has nothing active, e.g. after `livefire chaos revert`).
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path

from chaos.journal import Entry, Journal, now
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


def watch(
    journal: Journal,
    parent: int,
    stop: list[bool],
    *,
    adopted: bool = False,
    until_idle: bool = False,
) -> None:
    while not stop:
        orphaned = not (_alive(parent) and (adopted or os.getppid() == parent))

        def due(entry: Entry, gone: bool = orphaned) -> bool:
            return gone or entry.deadline <= now()

        revert_active(journal, "watchdog", due)
        if orphaned or (until_idle and not journal.active()):
            return
        time.sleep(POLL_S)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m chaos.watchdog")
    parser.add_argument("--journal", type=Path, required=True, help="the run directory")
    parser.add_argument("--parent", type=int, required=True, help="the conductor's pid")
    parser.add_argument(
        "--adopted", action="store_true", help="PID need not be our parent, only alive"
    )
    parser.add_argument(
        "--until-idle", action="store_true", help="exit once no fault in the journal is active"
    )
    parser.add_argument("--ready-file", type=Path)
    args = parser.parse_args()
    stop: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the conductor's word ends the watch
    if args.ready_file:
        tmp = args.ready_file.with_suffix(".tmp")
        tmp.write_text(f'{{"name": "watchdog", "pid": {os.getpid()}}}')
        os.replace(tmp, args.ready_file)
    watch(
        Journal(args.journal), args.parent, stop, adopted=args.adopted, until_idle=args.until_idle
    )


if __name__ == "__main__":
    main()
