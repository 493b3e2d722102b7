"""The live view's options, shared by `run` and `suite`: live metrics on an address, and
Locust's own web UI (`--web`) beside a conductor that keeps the shape and the stop."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from livefire.livemetrics import LiveMetrics
from livefire.liveserver import LiveServer, check_free, parse_address
from livefire.progress import Tick
from livefire.scenario.slos import PHASES, SLI_FIELDS, PhaseSlos, Slos

Progress = Callable[[Tick], None]


def add_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--metrics-address",
        metavar="HOST:PORT",
        help="serve the run's live metrics (Prometheus, /metrics) and a live page (/) there; "
        "port 0 picks a free one; e.g. 127.0.0.1:9464, or 0.0.0.0:9464 for a remote scraper",
    )
    where.add_argument(
        "--metrics-port",
        type=int,
        metavar="PORT",
        help="the same on 127.0.0.1:PORT (kept for older command lines)",
    )
    parser.add_argument(
        "--web",
        action="store_true",
        help="keep Locust's web UI to watch the requests (read-only: the scenario keeps the "
        "shape and the stop)",
    )
    parser.add_argument(
        "--web-address",
        default="127.0.0.1:0",
        metavar="HOST:PORT",
        help="where --web's UI listens (default: loopback, a free port, printed)",
    )


def web_bind(args: argparse.Namespace) -> str | None:
    """`HOST:PORT` for Locust's web UI, or None without --web."""
    if not args.web:
        return None
    host, port = parse_address(args.web_address, "--web-address")
    check_free(host, port, "Locust web UI")
    return f"{host}:{port}"


def serve(args: argparse.Namespace) -> LiveMetrics | None:
    """Start the live view's server if asked (a busy address: SetupError, exit 2)."""
    if args.metrics_address is None and args.metrics_port is None:
        return None
    address = args.metrics_address or f"127.0.0.1:{args.metrics_port}"  # port 0: any free
    metrics = LiveMetrics()
    server = LiveServer(metrics, *parse_address(address)).start()
    print(f"live metrics: {server.url}/metrics (live page: {server.url}/)", flush=True)
    return metrics


def feeding(metrics: LiveMetrics | None, printer: Progress) -> Progress:
    """`printer`, also feeding every Tick to `metrics` when there are any."""
    if metrics is None:
        return printer

    def progress(tick: Tick) -> None:
        metrics.update(tick)
        printer(tick)

    return progress


def promises(slos: Slos) -> dict[tuple[str, str], float]:
    """Every SLO a scenario makes, (sli, phase) → threshold, for `livefire_slo`."""
    phases: list[tuple[str, PhaseSlos | None]] = [("overall", slos)]
    phases += [(phase, getattr(slos, phase)) for phase in PHASES]
    return {
        (name, phase): float(getattr(window, name))
        for phase, window in phases
        if window is not None
        for name in SLI_FIELDS  # probes' conditions are not SLIs: their own checks
        if getattr(window, name) is not None
    }
