"""The `livefire` command: the only code in the project that prints or exits.

Each sub-command lives in its own module with `register(subparsers)`; the function it sets
as `handler` returns the exit code: 0 every promise held, 1 a promise broken, 2 invalid input
or setup, 3 aborted, 4 inconclusive.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from livefire.base.errors import LivefireError, ScenarioError, SetupError
from livefire.cli import capacity, chaos, compare, proxy, run, stubs, suite, worker

COMMANDS = (run, suite, compare, capacity, stubs, chaos, worker, proxy)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="livefire",
        description=(
            "Game days for live-streaming platforms: Locust users watch, stream, chat and gift "
            "while faults break the platform; verdicts say which documented promises held."
        ),
        epilog="Exit codes: 0 all promises held, 1 a promise broke, 2 bad input or setup, "
        "3 aborted, 4 inconclusive.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ScenarioError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except SetupError as exc:
        print(f"livefire: setup failed: {exc}", file=sys.stderr)
        return 2
    except LivefireError as exc:
        print(f"livefire: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug in livefire must never read as a verdict (exit 1)
        if os.environ.get("LIVEFIRE_DEBUG"):
            traceback.print_exc()
        print(
            f"livefire: internal error: {type(exc).__name__}: {exc} (exit 3: no verdict); "
            "set LIVEFIRE_DEBUG=1 for the traceback",
            file=sys.stderr,
        )
        return 3
    except KeyboardInterrupt:
        print(
            "livefire: interrupted; every fault was reverted and every process stopped",
            file=sys.stderr,
        )
        return 3
