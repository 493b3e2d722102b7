"""`livefire compare BASELINE_RUN RUN`: tonight against last night, promise by promise."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from livefire.history import compare_dirs, write
from livefire.history.runs import report_path

EXAMPLES = """examples:
  livefire compare runs/last-night runs/tonight          table; compare.json and compare.html
                                                         written into runs/tonight
  livefire compare runs/a runs/b --json                  the comparison as JSON on stdout
  livefire compare runs/a runs/b --out runs/diff         the files go there instead
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "compare",
        help="compare a run with a baseline run of the same scenario",
        description="Put two runs' promises side by side (each check's figure in both, "
        "recovery times, deltas) and flag every promise that got worse past the tolerance "
        "the run's scenario sets (`compare:`; default 10% of each promise's room). Exit 0 "
        "no regression, 1 a regression, 2 bad input (a missing or corrupt run directory, "
        "or runs of two scenarios), 3 a run without a verdict, 4 nothing regressed but a "
        "check was void.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "baseline", type=Path, help="the baseline's run directory (or its report.json)"
    )
    parser.add_argument(
        "run", type=Path, help="the run directory to judge against it (or its report.json)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="where compare.json and compare.html go (default: the RUN directory)",
    )
    parser.add_argument("--json", action="store_true", help="print the JSON instead of the table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    compared = compare_dirs(args.baseline, args.run)
    written = write(compared, args.out or report_path(args.run).parent)
    if args.json:
        print(json.dumps(compared.to_json(), indent=2))
        return compared.exit_code
    for line in compared.summary():
        print(line)
    for path in written:
        print(f"compare: {path}")
    return compared.exit_code
