"""Sabotage switches: negative controls that make one documented recovery fail for real.

Every Redis-backed component takes `--sabotage NAME` (repeatable). Each component accepts every
known name and acts only on those that concern it, so a launcher can hand the same list to
all of them; an unknown name is refused at start with a suggestion.
"""

from __future__ import annotations

import argparse
import difflib

__all__ = ["SABOTAGES", "add_sabotage_arg", "sabotage_name"]

SABOTAGES: dict[str, str] = {
    "lossy-ledger": "the gift worker drops 1 in 20 gifts from the ledger yet marks them paid "
    "and acknowledges them (reconciliation must find the loss)",
    "no-idempotency": "the gift API and worker ignore idempotency keys and the applied-gift "
    "check, so a retried POST or a redelivered gift is doubled",
    "no-replica-reads": "reads (GET /gifts/{id}, GET /ledger, discovery search) go only to "
    "the primary, so they fail while the primary is unreachable",
}


def sabotage_name(value: str) -> str:
    """argparse type: a known sabotage name, or an error naming the closest one."""
    if value in SABOTAGES:
        return value
    close = difflib.get_close_matches(value, SABOTAGES, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(SABOTAGES)}"
    raise argparse.ArgumentTypeError(f"unknown sabotage {value!r}{hint}")


def add_sabotage_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sabotage",
        type=sabotage_name,
        action="append",
        default=[],
        metavar="NAME",
        help=f"negative control, repeatable: {', '.join(SABOTAGES)}",
    )
