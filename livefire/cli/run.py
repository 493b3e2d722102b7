"""Placeholder for `livefire run` so the CLI imports on the proxy branch; main's version wins."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("run", help="run a game day (not on this branch)")
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)
