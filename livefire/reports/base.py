"""The report-format registry and the few helpers every renderer shares.

A format is a pure function from the report (plain data, schema `livefire.report/1`) to text;
`write_all` does the only I/O. Renderers read every optional field with a default, because
the schema grows (recovery, chat, users, p99) and old reports must still render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from livefire.base.registry import Registry

Report = dict[str, Any]


@dataclass(frozen=True)
class ReportFormat:
    """One output format: the file it lands in and how to render it."""

    name: str
    filename: str  # relative to the run directory, e.g. "junit.xml"
    render: Callable[[Report], str]
    description: str = ""


FORMATS: Registry[ReportFormat] = Registry("report format")


def register(fmt: ReportFormat) -> ReportFormat:
    FORMATS.add(fmt.name, fmt)
    return fmt


def checks(report: Report) -> list[dict[str, Any]]:
    return list(report.get("checks") or [])


def check_name(check: dict[str, Any]) -> str:
    """`stream_latency_p95[during_faults]`: the promise and the phase it was judged in."""
    return f"{check.get('promise', '?')}[{check.get('phase', 'overall')}]"


def duration_s(report: Report) -> float | None:
    started, ended = report.get("started"), report.get("ended")
    if isinstance(started, int | float) and isinstance(ended, int | float):
        return max(0.0, float(ended) - float(started))
    return None


def broken(report: Report) -> list[dict[str, Any]]:
    """Promises broken regardless of any doubt (a void check is neither held nor broken)."""
    return [c for c in checks(report) if not c.get("passed") and not c.get("void")]


def usd(amount: float) -> str:
    """$875, $1,050,000; cents only below $100."""
    return f"${amount:,.2f}" if 0 < amount < 100 else f"${amount:,.0f}"


def priced(report: Report) -> list[dict[str, Any]]:
    """The priced faults of the report's `cost` (none in reports written before it)."""
    cost = report.get("cost")
    return list(cost.get("faults") or []) if isinstance(cost, dict) else []
