"""The watchdog: a process outside the conductor that reverts every fault whose TTL passed,
and every active fault once the conductor is gone — so even a kill -9 of livefire ends each
fault within its TTL (or within a second of the conductor's death).

    python -m chaos.watchdog --journal RUN_DIR --parent PID [--adopted] [--until-idle]

By default PID must be the watchdog's own parent (so a recycled pid is never mistaken for
it). `livefire chaos inject` watches the operator's shell instead, which is not its parent:
it passes `--adopted` (PID only has to be alive) and `--until-idle` (exit once the journal
has nothing active, e.g. after `livefire chaos revert`).

Once orphaned, the watchdog is the last line of defence, so one failed revert is not the
end: it retries every active fault with exponential backoff (each attempt journaled by
`chaos.safety.undo`) until nothing is active or `--retry-for` seconds have passed, then
journals that it gave up. A pass that raises (a driver bug, a bad journal) is logged and
the watch goes on.

A fault on the embedded platform names the platform's processes as its owner (see
`chaos.journal`). The platform dies with its conductor (the kernel sends each process SIGTERM),
which makes such faults void, so while one is active the watchdog checks every second instead
of backing off; and a platform process still running PLATFORM_GRACE_S after the conductor's
death gets SIGKILL from the conductor's own watchdog (not an adopted one), as
`ProcessGroup.stop` would have done: nothing of the run outlives it.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from chaos.drivers.process import start_time
from chaos.journal import REVERT_FAILED, Entry, Journal, now
from chaos.safety import gone, revert_active
from livefire.base.processes import spawn_detached

POLL_S = 0.5
BACKOFF_MAX_S = 15.0  # the longest pause between retries once orphaned
RETRY_FOR_S = 600.0  # how long an orphaned watchdog keeps retrying before it gives up
OWNED_PAUSE_S = 1.0  # between passes while a fault on the embedded platform is active
PLATFORM_GRACE_S = 5.0  # how long the embedded platform may take to exit after its conductor

log = logging.getLogger(__name__)


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
    retry_for: float = RETRY_FOR_S,
) -> None:
    """Revert due faults while the parent lives; once it is gone, retry until idle or
    `retry_for` has passed (see the module docstring)."""
    orphaned_at: float | None = None
    pause = POLL_S
    while not stop:
        orphaned = not (_alive(parent) and (adopted or os.getppid() == parent))
        if orphaned:
            orphaned_at = time.monotonic() if orphaned_at is None else orphaned_at
            if not adopted and time.monotonic() - orphaned_at >= PLATFORM_GRACE_S:
                _end_platforms(journal)
        _pass(journal, orphaned)
        active = _active(journal)
        if orphaned_at is not None:
            if active == []:
                return
            if time.monotonic() - orphaned_at >= retry_for:
                _give_up(journal, active or [], retry_for)
                return
            owned = any(entry.owner for entry in active or [])
            pause = OWNED_PAUSE_S if owned else min(pause * 2, BACKOFF_MAX_S)
        elif until_idle and active == []:
            return
        _nap(pause, stop)


def _nap(seconds: float, stop: list[bool]) -> None:
    """Sleep in short slices, so a SIGTERM during a long backoff still ends the watch."""
    deadline = time.monotonic() + seconds
    while not stop and time.monotonic() < deadline:
        time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))


def _pass(journal: Journal, orphaned: bool) -> None:
    """One revert pass: every active fault once orphaned, else those past their TTL."""

    def due(entry: Entry) -> bool:
        return orphaned or entry.deadline <= now()

    try:
        revert_active(journal, "watchdog", due)
    except Exception:  # the watchdog must outlive any bug in one pass
        log.exception("watchdog pass over %s failed; retrying", journal.path)


def _end_platforms(journal: Journal, wait: float = 2.0) -> None:
    """SIGKILL what still runs of the embedded platform behind each active fault (same pid,
    same start time: never a stranger), and give it `wait` seconds to go."""
    owners = [
        entry.owner for entry in _active(journal) or [] if entry.owner and not gone(entry.owner)
    ]
    for owner in owners:
        for pid, start in owner:
            if start_time(pid) == start:
                log.warning("embedded platform outlived its conductor: SIGKILL pid %d", pid)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + wait
    while not all(gone(owner) for owner in owners) and time.monotonic() < deadline:
        time.sleep(0.05)


def _active(journal: Journal) -> list[Entry] | None:
    """The active faults, or None if the journal cannot be read right now."""
    try:
        return journal.active()
    except Exception:
        log.exception("cannot read %s; retrying", journal.path)
        return None


def _give_up(journal: Journal, active: list[Entry], retry_for: float) -> None:
    for entry in active:
        error = f"watchdog: gave up after retrying for {retry_for:g} s; last: {entry.error}"
        try:
            journal.append(Entry(entry.fault_id, REVERT_FAILED, now(), by="watchdog", error=error))
        except OSError:
            log.exception("cannot journal that %s is still active", entry.fault_id)
    log.error("gave up on %s", ", ".join(e.fault_id for e in active))


def detach(run_dir: Path, watched: int, log_path: Path, forget: Iterable[str] = ()) -> int:
    """Start a watchdog that outlives its starter (its own session, `--adopted
    --until-idle`): it watches `watched`, then retries whatever is still active until nothing
    is. `forget` names environment variables it must not inherit (e.g. a run marker that
    would have the run's cleanup kill it). Returns its pid."""
    root = str(Path(__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if k not in set(forget)}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    argv = [sys.executable, "-m", "chaos.watchdog", "--journal", str(run_dir)]
    argv += ["--parent", str(watched), "--adopted", "--until-idle"]
    return spawn_detached(argv, log_path, env).pid


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
    parser.add_argument(
        "--retry-for",
        type=float,
        default=RETRY_FOR_S,
        help="once orphaned, keep retrying failed reverts for this many seconds",
    )
    parser.add_argument("--ready-file", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s watchdog %(message)s")
    stop: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the conductor's word ends the watch
    if args.ready_file:
        tmp = args.ready_file.with_suffix(".tmp")
        tmp.write_text(f'{{"name": "watchdog", "pid": {os.getpid()}}}')
        os.replace(tmp, args.ready_file)
    watch(
        Journal(args.journal),
        args.parent,
        stop,
        adopted=args.adopted,
        until_idle=args.until_idle,
        retry_for=args.retry_for,
    )


if __name__ == "__main__":
    main()
