"""`livefire worker --master HOST:PORT`: join a running game day's load from another machine."""

from __future__ import annotations

import argparse
import os
import subprocess

from livefire.errors import SetupError
from livefire.loadrunner import worker_argv


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "worker",
        help="join a livefire run's Locust master as a load worker",
        description="Start a Locust worker that joins the master `livefire run` started "
        "(its --master-bind-host/--master-port). The run's configuration arrives from the "
        "master; nothing else is needed on this machine.",
        epilog="example: livefire worker --master 10.0.0.5:5557 --processes 4",
    )
    parser.add_argument("--master", required=True, help="HOST:PORT of the Locust master")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes on this machine (default: one per core)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    host, _, port = args.master.rpartition(":")
    if not host or not port.isdigit():
        raise SetupError(f"--master: expected HOST:PORT, got {args.master!r}")
    procs = [subprocess.Popen(worker_argv(host, int(port))) for _ in range(args.processes)]
    try:
        return max(p.wait() for p in procs)
    except KeyboardInterrupt:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
        return 3
