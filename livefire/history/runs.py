"""Reading a finished run back from its directory: `RUN_DIR/report.json`, checked against
the published report schema before anything trusts it.

A comparison is only as good as the two reports it reads, and a nightly job that quietly
compares against half a file would report "no regression" for the wrong reason. So every
problem is one line naming the file and the field (`runs/x/report.json: checks[2].measured:
'fast' is not of type 'number', 'null'`), raised as `RunDirError` (exit 2).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from livefire.base.errors import RunDirError
from livefire.reports import SCHEMA_FILE

REPORT = "report.json"
Report = dict[str, Any]


def report_path(run: Path) -> Path:
    """The report of a run directory (a report.json given directly is taken as is)."""
    return run if run.suffix == ".json" else run / REPORT


def load_run(run: Path) -> Report:
    """The run's report, schema-checked; RunDirError naming the file and field otherwise."""
    if run.suffix != ".json" and not run.is_dir():
        raise RunDirError(f"{run}: no such run directory (`livefire run --run-dir` makes one)")
    path = report_path(run)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RunDirError(f"{path}: missing; the run never wrote its report") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunDirError(f"{path}: cannot read: {exc}") from None
    try:
        report = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise RunDirError(f"{path}: not JSON: {where}: {exc.msg}") from None
    error = best_match(_validator().iter_errors(report))
    if error is not None:
        where = field_path(list(error.absolute_path)) or "the top level"
        raise RunDirError(f"{path}: {where}: {error.message}")
    return dict(report)


def field_path(parts: list[str | int]) -> str:
    """`checks[2].measured` from ["checks", 2, "measured"]."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
