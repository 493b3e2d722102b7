"""`livefire chaos`: the fault catalog, manual game-day faults, and undoing faults.

    livefire chaos list [--json]
    livefire chaos inject FAULT --target NAME (--proxy-api URL | --targets FILE)
                          [--param KEY=VALUE ...] [--ttl 30s] --journal RUN_DIR [--watch-pid PID]
    livefire chaos revert --journal RUN_DIR

`inject` journals the fault, injects it, and leaves a watchdog behind that reverts it when
its TTL ends or when the watched process (default: the shell that ran the command) exits,
whichever comes first. `revert` undoes whatever the journal says is still active, at once:
a fault whose embedded platform died with it is void (nothing to revert, exit 0); a revert that
fails is one line naming the fault, its target and the cause (exit 1).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from chaos import watchdog
from chaos.catalog import FAULTS
from chaos.journal import REVERTED, VOID, Entry, Journal
from chaos.model import FaultType, TargetRef
from chaos.plugins import load_plugins
from chaos.safety import FALLBACK, FaultSession, revert_active
from chaos.targets import resolve_targets
from livefire.base.description import TargetDescription
from livefire.base.errors import UsageError
from livefire.base.units import format_duration, parse_duration


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("chaos", help="the fault catalog; inject and revert faults by hand")
    actions = parser.add_subparsers(dest="chaos_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the fault catalog with parameters and defaults")
    listing.add_argument("--json", action="store_true", help="machine-readable catalog")
    listing.set_defaults(handler=run_list)
    revert = actions.add_parser("revert", help="undo every fault a journal says is active")
    revert.add_argument("--journal", type=Path, required=True, metavar="RUN_DIR")
    revert.set_defaults(handler=run_revert)
    inject = actions.add_parser("inject", help="inject one fault by hand (journaled, with TTL)")
    inject.add_argument("fault", help="a name from `livefire chaos list`")
    inject.add_argument("--target", required=True, help="the target's name")
    where = inject.add_mutually_exclusive_group(required=True)
    where.add_argument("--proxy-api", help="fault proxy API; the target is the proxy of NAME")
    where.add_argument("--targets", type=Path, help="YAML/JSON target declarations")
    inject.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    inject.add_argument("--ttl", default="30s", help="revert after this long (default 30s)")
    inject.add_argument("--journal", type=Path, required=True, metavar="RUN_DIR")
    inject.add_argument(
        "--watch-pid", type=int, help="revert when this process exits (default: your shell)"
    )
    inject.set_defaults(handler=run_inject)


def run_list(args: argparse.Namespace) -> int:
    load_plugins()
    faults = [FAULTS.get(name) for name in sorted(FAULTS)]
    if args.json:
        print(json.dumps([_fault_json(f) for f in faults], indent=2))
        return 0
    width = max(len(f.name) for f in faults)
    for fault in faults:
        healing = "self-healing" if fault.self_healing else "sustained"
        print(f"{fault.name:<{width}}  {fault.target_kind:<8} {healing:<12}  {fault.summary}")
        params = " ".join(f"{k}={v}" for k, v in _defaults(fault.params).items())
        print(f"{'':<{width}}  params: {params or '(none)'}")
    return 0


def _defaults(model: type[BaseModel]) -> dict[str, Any]:
    return {
        name: field.get_default(call_default_factory=True)
        for name, field in model.model_fields.items()
    }


def _fault_json(fault: FaultType) -> dict[str, Any]:
    return {
        "name": fault.name,
        "target_kind": fault.target_kind,
        "self_healing": fault.self_healing,
        "summary": fault.summary,
        "params": _defaults(fault.params),
        "schema": fault.params.model_json_schema(),
    }


def run_revert(args: argparse.Namespace) -> int:
    if not args.journal.is_dir():
        raise UsageError(f"no such run directory: {args.journal}")
    journal = Journal(args.journal)
    active = journal.active()
    if not active:
        print(f"nothing to revert: no fault in {journal.path} is active")
        return 0
    logging.getLogger("chaos.safety").addHandler(logging.NullHandler())  # we print outcomes
    failed = revert_active(journal, "chaos-revert", lambda entry: True)
    latest = journal.latest()
    if all(latest[e.fault_id].event == VOID for e in active):
        print(f"nothing to revert: every fault in {journal.path} that was active is void")
    for entry in active:
        print(_outcome_line(entry.fault_id, entry.fault, entry.target, latest[entry.fault_id]))
    return 1 if failed else 0


def _outcome_line(fault_id: str, fault: str, target: str, outcome: Entry) -> str:
    """`f0 edge-latency on edge-apac: STILL ACTIVE: revert failed: POST ...: connection
    refused (3 attempts)`: one line, naming the fault, its target and the cause."""
    error = re.sub(r"^[\w-]+: (?=revert failed)", "", outcome.error)  # who: said by the line
    if outcome.event == VOID:
        status = "void, nothing to revert"
    elif outcome.event == REVERTED:
        status = "reverted" + (" (by fallback)" if outcome.by == FALLBACK else "")
    else:
        status = "STILL ACTIVE"
    return f"{fault_id} {fault} on {target}: {status}" + (f": {error}" if error else "")


def run_inject(args: argparse.Namespace) -> int:
    load_plugins()
    if args.fault not in FAULTS:
        raise UsageError(FAULTS.unknown(args.fault))
    fault = FAULTS.get(args.fault)
    try:
        ttl = parse_duration(args.ttl)
    except ValueError as exc:
        raise UsageError(f"--ttl: {exc}") from None
    fault_id = f"manual-{int(time.time() * 1000)}"
    driver = fault.create(_target(args), _params(args.param), fault_id)
    args.journal.mkdir(parents=True, exist_ok=True)
    journal = Journal(args.journal)
    watched, pid = args.watch_pid or os.getppid(), 0
    try:
        FaultSession(journal).inject(fault_id, fault.name, args.target, driver, ttl)
    finally:  # a failed injection whose own revert failed still gets its watchdog
        if any(entry.fault_id == fault_id for entry in journal.active()):
            log = args.journal / "logs" / f"watchdog-{fault_id}.log"
            pid = watchdog.detach(args.journal, watched, log)
    print(
        f"injected {fault_id}: {fault.name} on {args.target}; reverted in "
        f"{format_duration(ttl)} or when pid {watched} exits (watchdog pid {pid})\n"
        f"undo now: livefire chaos revert --journal {args.journal}"
    )
    return 0


def _target(args: argparse.Namespace) -> TargetRef:
    if args.proxy_api:
        return TargetRef(args.target, args.proxy_api, args.target)
    try:
        data = yaml.safe_load(args.targets.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"--targets {args.targets}: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"--targets {args.targets}: expected a mapping of targets")
    try:
        description = TargetDescription.from_json(
            data if "fault_targets" in data else {"fault_targets": data}
        )
    except (TypeError, ValueError) as exc:
        raise UsageError(f"--targets {args.targets}: {exc}") from None
    refs = resolve_targets(description)
    if args.target not in refs:
        raise UsageError(f"--target: {args.targets} declares no target '{args.target}'")
    return refs[args.target]


def _params(pairs: list[str]) -> dict[str, Any]:
    """KEY=VALUE pairs; a VALUE that parses as JSON (500, true, [..]) is taken as such."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {pair!r}: expected KEY=VALUE")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params
