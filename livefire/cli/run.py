"""`livefire run SCENARIO`: one game day, from YAML to verdict."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import Any

from livefire import report as reports
from livefire.cli import live
from livefire.conductor import Conductor, RunOptions, Tick
from livefire.judge import Judgement, judge, probe_info
from livefire.reports import write_all
from livefire.scenario import LoadedScenario, load_scenario
from livefire.scenario.staging_checks import describe_staging
from livefire.timeline import describe

EXAMPLES = """examples:
  livefire run scenarios/smoke.yaml                 the default game day, embedded platform
  livefire run scenarios/smoke.yaml --dry-run       print the fault timeline, touch nothing
  livefire run game.yaml --run-dir runs/today       keep the report and telemetry there
  livefire run game.yaml --metrics-address :9464    live metrics for Prometheus, a live page
  livefire run game.yaml --web                      also Locust's web UI (read-only)
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "run",
        help="run one scenario and judge it",
        description="Start the target (or use staging), play the users and the fault timeline, "
        "then judge every SLO. Writes RUN_DIR/report.json, junit.xml, report.html and "
        "metrics.prom, and prints a summary.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument(
        "--run-dir",
        type=Path,
        help="where telemetry, logs, the fault journal and reports go "
        "(default: runs/NAME-TIMESTAMP)",
    )
    parser.add_argument("--workers", type=int, help="local Locust workers (default: one per core)")
    add_load_options(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="validate and print the resolved fault timeline; start nothing",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    live.add_options(parser)
    parser.set_defaults(handler=run)


def add_load_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `run` and `suite` for where the load comes from."""
    parser.add_argument(
        "--remote-workers",
        type=int,
        default=0,
        help="also wait for this many `livefire worker` processes to join",
    )
    parser.add_argument(
        "--master-bind",
        default="127.0.0.1:0",
        metavar="HOST:PORT",
        help="where the Locust master listens for workers (default: loopback, "
        "a free port; use 0.0.0.0:5557 for remote workers)",
    )


def options(args: argparse.Namespace, run_dir: Path) -> RunOptions:
    return RunOptions(
        run_dir.resolve(), args.workers, args.remote_workers, args.master_bind, live.web_bind(args)
    )


def run(args: argparse.Namespace) -> int:
    loaded = load_scenario(args.scenario)
    scenario = loaded.scenario
    run_dir = args.run_dir or Path("runs") / f"{scenario.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    conductor = Conductor(loaded, options(args, run_dir), progress=_printer(args.quiet))
    if args.dry_run:
        planned = conductor.preflight()
        print(f"{scenario.name}: {scenario.duration:g}s, users {scenario.load.users.model_dump()}")
        for line in describe(planned) or ["no faults"]:
            print(f"  {line}")
        if scenario.target.staging is not None:
            for line in describe_staging(scenario.target.staging):
                print(f"  {line}")
        for name, info in probe_info(scenario).items():
            print(f"  probe {name}: {info['kind']} every {info['every_s']:g}s: {info['reads']}")
        return 0
    metrics = live.serve(args)
    if metrics is not None:
        metrics.begin(scenario.name, promises=live.promises(scenario.slos))
    progress = live.feeding(metrics, _printer(args.quiet))
    judgement = conduct(loaded, options(args, run_dir), progress)
    for line in reports.summary(judgement.report):
        print(line)
    for path in write_all(judgement.report, run_dir):
        print(f"report: {path}")
    return judgement.exit_code


def conduct(loaded: LoadedScenario, run_options: RunOptions, progress: Any) -> Judgement:
    """Play one scenario (SIGTERM is treated as Ctrl-C) and judge it."""
    conductor = Conductor(loaded, run_options, progress=progress)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        outcome = conductor.run()
    finally:
        signal.signal(signal.SIGTERM, previous)
    return judge(loaded.scenario, loaded.source.file, outcome)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _printer(quiet: bool) -> Any:
    def show(tick: Tick) -> None:
        if tick.phase == "ended" and not tick.event:
            return  # the load is over: the summary follows
        if tick.event:
            print(f"[{tick.elapsed:6.1f}s] {tick.event}", flush=True)
        elif not quiet and int(tick.elapsed) % 10 == 0:
            faults = ",".join(tick.active_faults) or "none"
            if tick.latency_p95 is not None:
                faults += f"; latency p95 {tick.latency_p95 * 1000:.0f} ms"
            if tick.error_rate is not None:
                faults += f"; errors {tick.error_rate * 100:.2f}%"
            print(
                f"[{tick.elapsed:6.1f}s / {tick.duration:g}s] active faults: {faults}",
                file=sys.stdout,
                flush=True,
            )

    return show
