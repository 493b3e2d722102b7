"""The report: built once, as plain data (schema `livefire.report/1`, documented in
docs/report-schema.md), from the outcome and the verdict; and its one-screen summary.

Every file format (JSON, JUnit, HTML, Prometheus) renders that same data: see
`livefire.reports` and its `write_all`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from livefire import telemetry as tm
from livefire.conductor import RunOutcome
from livefire.slis import SLIS, total
from livefire.verdict import FaultWindow, Verdict

SCHEMA = "livefire.report/1"


def build(
    name: str, source: str, outcome: RunOutcome, verdict: Verdict, windows: list[FaultWindow]
) -> dict[str, Any]:
    result = "pass" if verdict.passed else "fail"
    if outcome.status != "completed":
        result = "aborted"
    return {
        "schema": SCHEMA,
        "scenario": name,
        "file": source,
        "status": outcome.status,
        "result": result,
        "started": outcome.started,
        "ended": outcome.ended,
        "checks": [asdict(c) | {"unit": SLIS.get(c.promise).unit} for c in verdict.checks],
        "faults": [
            asdict(w) | {"start_s": w.start - outcome.started, "end_s": w.end - outcome.started}
            for w in windows
        ],
        "revert_failures": outcome.revert_failures,
        "timeline": _timeline(outcome),
        "target": outcome.target,
    }


def _timeline(outcome: RunOutcome) -> list[dict[str, Any]]:
    rows = []
    p95, p50 = SLIS.get("stream_latency_p95"), SLIS.get("stream_latency_p50")
    for second in outcome.series:
        latency95, latency50 = p95.measure([second]), p50.measure([second])
        rows.append(
            {
                "t": second.t - outcome.started,
                "requests": total([second], tm.REQUESTS),
                "errors": total([second], tm.REQUEST_ERRORS),
                "segments": total([second], tm.SEGMENTS),
                "stalls": total([second], tm.STALLS),
                "latency_p50_ms": None if latency50 is None else round(latency50 * 1000, 1),
                "latency_p95_ms": None if latency95 is None else round(latency95 * 1000, 1),
            }
        )
    return rows


def summary(report: dict[str, Any]) -> list[str]:
    """The terminal summary: one line per promise, the broken ones named."""
    lines = [f"livefire: {report['scenario']} — {report['status']}"]
    for fault in report["faults"]:
        lines.append(
            f"  fault {fault['fault_id']} {fault['fault']} on {fault['target']}: "
            f"t={fault['start_s']:.1f}s → {fault['end_s']:.1f}s"
        )
    for check in report["checks"]:
        mark = "PASS" if check["passed"] else "FAIL"
        lines.append(
            f"  {mark}  {check['promise']:<22} {check['phase']:<14} "
            f"{check['found']:>10}  (promise {check['expected']})"
        )
    for fault_id in report["revert_failures"]:
        lines.append(
            f"  WARNING: fault {fault_id} could not be reverted; "
            "run `livefire chaos revert --journal RUN_DIR`"
        )
    broken = [f"{c['promise']} ({c['phase']})" for c in report["checks"] if not c["passed"]]
    if report["result"] == "pass":
        lines.append("RESULT: PASS — every promise held")
    elif report["result"] == "fail":
        lines.append(f"RESULT: FAIL — broken: {', '.join(broken)}")
    else:
        lines.append(f"RESULT: ABORTED ({report['status']}) — no verdict")
    return lines
