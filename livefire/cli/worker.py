"""`livefire worker --master HOST:PORT`: join a running game day's load from another machine.

A Locust worker exits when its master quits, i.e. after every run. With `--forever` each
worker process is started again when it exits — after 1 s, doubling up to 30 s while it keeps
exiting quickly (no master yet, a refused connection) — so a long-lived worker fleet (a
Kubernetes Deployment) joins every run without crash-looping. SIGTERM or Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from livefire.base.errors import SetupError
from livefire.loadrunner import worker_argv

FIRST_BACKOFF_S, MAX_BACKOFF_S = 1.0, 30.0  # waits before rejoining, doubling in between
STEADY_S = 60.0  # a worker that stayed this long had a run: it rejoins after the first wait
POLL_S = 0.5
STOP_WAIT_S = 10.0


class Process(Protocol):
    def poll(self) -> int | None: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...
    def wait(self, timeout: float | None = None) -> int: ...


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "worker",
        help="join a livefire run's Locust master as a load worker",
        description="Start a Locust worker that joins the master `livefire run` started "
        "(its --master-bind HOST:PORT). The run's configuration arrives from the "
        "master; nothing else is needed on this machine. Without --forever it exits when "
        "the run ends.",
        epilog="examples:\n  livefire worker --master 10.0.0.5:5557 --processes 4\n"
        "  livefire worker --master livefire-master:5557 --forever   "
        "(a long-lived worker, e.g. a Kubernetes Deployment)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--master", required=True, help="HOST:PORT of the Locust master")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes on this machine (default: one per core)",
    )
    parser.add_argument(
        "--forever",
        "--rejoin",
        dest="forever",
        action="store_true",
        help="rejoin after each run (and while no master answers), backing off from "
        f"{FIRST_BACKOFF_S:g} s to {MAX_BACKOFF_S:g} s; stop on SIGTERM or Ctrl-C (exit 0)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    host, _, port = args.master.rpartition(":")
    if not host or not port.isdigit():
        raise SetupError(f"--master: expected HOST:PORT, got {args.master!r}")
    argv = worker_argv(host, int(port))

    def start() -> Process:
        return subprocess.Popen(argv)

    if args.forever:
        return _forever(start, args.processes)
    procs = [start() for _ in range(args.processes)]
    try:
        return max(p.wait() for p in procs)
    except KeyboardInterrupt:
        _stop(procs)
        return 3


def _forever(start: Callable[[], Process], processes: int) -> int:
    stop = threading.Event()

    def on_term(signum: int, frame: Any) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        rejoin(start, processes, stop)
    except KeyboardInterrupt:
        stop.set()
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def backoff(previous: float, uptime: float) -> float:
    """The wait before rejoining: the first one after a run, doubling while exits are quick."""
    if uptime >= STEADY_S or previous <= 0:
        return FIRST_BACKOFF_S
    return min(MAX_BACKOFF_S, previous * 2)


def rejoin(
    start: Callable[[], Process],
    slots: int,
    stop: threading.Event,
    clock: Callable[[], float] = time.monotonic,
    wait: Callable[[float], object] | None = None,
) -> None:
    """Keep `slots` worker processes running until `stop` is set, then stop them all."""
    pause = wait or stop.wait
    procs: list[Process | None] = [None] * slots
    started, delay, due = [0.0] * slots, [0.0] * slots, [clock()] * slots
    try:
        while not stop.is_set():
            now = clock()
            for i in range(slots):
                proc = procs[i]
                if proc is not None and proc.poll() is not None:
                    delay[i] = backoff(delay[i], now - started[i])
                    procs[i], due[i] = None, now + delay[i]
                if procs[i] is None and due[i] <= now:
                    procs[i], started[i] = start(), now
            pause(POLL_S)
    finally:
        _stop([p for p in procs if p is not None])


def _stop(procs: list[Process]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
