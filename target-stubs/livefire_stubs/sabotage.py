"""Sabotage switches: negative controls that make one documented recovery fail for real.

Every Redis-backed component, the transcoder and the router take `--sabotage NAME`
(repeatable). Each component accepts every known name and acts only on those that concern
it; the launcher hands each component only its own (`CONCERNS`). An unknown name is refused
at start with a suggestion.
"""

from __future__ import annotations

import argparse

from livefire.base.registry import suggest

__all__ = [
    "CONCERNS",
    "SABOTAGES",
    "add_sabotage_arg",
    "check_sabotages",
    "sabotage_name",
    "sabotages_for",
]

SABOTAGES: dict[str, str] = {
    "lossy-ledger": "the gift worker drops 1 in 20 gifts from the ledger yet marks them paid "
    "and acknowledges them (reconciliation must find the loss)",
    "no-payment-retry": "the gift worker calls the payment provider once and, without an "
    "answer, fails the gift and drops it from the queue: acknowledged gifts are lost whenever "
    "payments time out (the async queue's promise broken)",
    "no-idempotency": "the gift API and worker ignore idempotency keys and the applied-gift "
    "check, so a retried POST or a redelivered gift is doubled",
    "no-replica-reads": "reads (GET /gifts/{id}, GET /ledger, discovery search) go only to "
    "the primary, so they fail while the primary is unreachable",
    "no-transcoder-failover": "transcoder nodes never take over a dead node's streams, so "
    "its streams stop",
    "no-region-reroute": "the router keeps sending viewers to their own region, dead or not",
}

CONCERNS: dict[str, tuple[str, ...]] = {
    "lossy-ledger": ("gifts-worker",),
    "no-idempotency": ("gifts-api", "gifts-worker"),
    "no-payment-retry": ("gifts-worker",),
    "no-replica-reads": ("gifts-api", "gifts-worker", "discovery", "chat"),
    "no-transcoder-failover": ("transcoder",),
    "no-region-reroute": ("router",),
}
"""Which kinds of component each switch is handed to (the launcher passes only these)."""


def check_sabotages(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Every name known, or ValueError naming each unknown one with a suggestion."""
    problems = []
    for name in names:
        try:
            sabotage_name(name)
        except argparse.ArgumentTypeError as exc:
            problems.append(str(exc))
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(dict.fromkeys(names))


def sabotages_for(kind: str, names: tuple[str, ...]) -> list[str]:
    """`--sabotage NAME` flags for a component of `kind` (e.g. "transcoder")."""
    flags = []
    for name in names:
        if kind in CONCERNS.get(name, ()):
            flags += ["--sabotage", name]
    return flags


def sabotage_name(value: str) -> str:
    """argparse type: a known sabotage name, or an error naming the closest one."""
    if value in SABOTAGES:
        return value
    raise argparse.ArgumentTypeError(f"unknown sabotage {value!r}{suggest(value, SABOTAGES)}")


def add_sabotage_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sabotage",
        type=sabotage_name,
        action="append",
        default=[],
        metavar="NAME",
        help=f"negative control, repeatable: {', '.join(SABOTAGES)}",
    )
