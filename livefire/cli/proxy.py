"""`livefire proxy serve`: the embedded Toxiproxy-compatible fault proxy (see chaos.proxy)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("proxy", help="run the embedded Toxiproxy-compatible fault proxy")
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)
