"""The report: built once, as plain data (schema `livefire.report/1`, documented in
docs/report-schema.md), from the outcome and the verdict; and its one-screen summary.

Every file format (JSON, JUnit, HTML, Prometheus) renders that same data: see
`livefire.reports` and its `write_all`.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from livefire.base import telemetry as tm
from livefire.base.percentiles import nearest_rank
from livefire.outcome import RunOutcome
from livefire.reports.base import usd
from livefire.verdict.budget import budget_lines, latency_budget
from livefire.verdict.cost import Cost
from livefire.verdict.engine import Check, FaultWindow, Verdict
from livefire.verdict.reconcile import Reconciliation
from livefire.verdict.slis import SLIS, merged, total

SCHEMA = "livefire.report/1"


def build(
    name: str,
    source: str,
    outcome: RunOutcome,
    verdict: Verdict,
    windows: list[FaultWindow],
    reconciliation: Reconciliation | None = None,
    probes: dict[str, dict[str, Any]] | None = None,
    cost: Cost | None = None,
) -> dict[str, Any]:
    result = verdict.result if outcome.status == "completed" else "aborted"
    return {
        "probes": _probes(probes or {}, outcome),
        "schema": SCHEMA,
        "scenario": name,
        "file": source,
        "status": outcome.status,
        "error": outcome.error,
        "result": result,
        "started": outcome.started,
        "ended": outcome.ended,
        "checks": [_check(c) for c in verdict.checks],
        "recovery": [asdict(r) for r in verdict.recoveries],
        "inconclusive": list(verdict.inconclusive),
        "faults": [
            asdict(w) | {"start_s": w.start - outcome.started, "end_s": w.end - outcome.started}
            for w in windows
        ],
        "cost": None if cost is None else cost_json(cost),  # information, never a promise
        "revert_failures": outcome.revert_failures,
        "telemetry_warnings": outcome.telemetry_warnings,
        "setup_warnings": outcome.setup_warnings,
        "clocks": {
            worker: {
                "offset_ms": round(c.offset * 1000, 1),
                "uncertainty_ms": round(c.uncertainty * 1000, 1),
                "samples": c.samples,
                "inconsistent": c.inconsistent,
            }
            for worker, c in outcome.clocks.items()
        },
        "glass_to_glass": glass_to_glass(outcome.series),
        "latency_budget": latency_budget(outcome.series),  # information, never a promise
        "revert_watchdog": outcome.revert_watchdog if outcome.revert_failures else None,
        "timeline": _timeline(outcome),
        "target": outcome.target.to_json(),
        "gifts": None
        if reconciliation is None
        else {
            "acked": reconciliation.acked,
            "indeterminate": reconciliation.indeterminate,
            "lost": list(reconciliation.lost),
            "doubled": list(reconciliation.doubled),
            "late": list(reconciliation.late),
            "deadline_s": reconciliation.deadline_s,
        },
    }


def _ms(hist: tm.Histogram | None, q: float) -> float | None:
    value = None if hist is None else nearest_rank(hist, q)
    return None if value is None else round(value / 1000, 1)


def glass_to_glass(series: list[tm.Second]) -> dict[str, Any] | None:
    """Latency read from the pixels of decoded samples, how far the platform's PDT was from
    the capture time drawn in the picture, and the samples whose code could not be read;
    None when no viewer decoded a sample."""
    read, unreadable = total(series, tm.TIMECODES_READ), total(series, tm.TIMECODES_UNREADABLE)
    if not read and not unreadable:
        return None
    hist, pdt = merged(series, tm.GLASS_TO_GLASS), merged(series, tm.PDT_ERROR)
    pdt_samples = 0 if pdt is None else pdt.get_total_count()
    signed = total(series, tm.PDT_ERROR_SIGNED_MS)
    return {
        "samples": 0 if hist is None else hist.get_total_count(),
        **{f"p{q}_ms": _ms(hist, q) for q in (50, 95, 99)},
        "timecodes_read": read,
        "timecodes_unreadable": unreadable,
        "pdt_error": None
        if not pdt_samples
        else {
            "samples": pdt_samples,
            "p50_ms": _ms(pdt, 50),
            "p95_ms": _ms(pdt, 95),
            "max_ms": _ms(pdt, 100),
            "mean_signed_ms": round(signed / pdt_samples, 1),
        },
    }


def glass_lines(section: dict[str, Any] | None) -> list[str]:
    """The summary's glass-to-glass line, and PDT's error against the pictures' clock."""
    if not section:
        return []
    lines = [
        f"  glass  glass-to-glass p50 {section['p50_ms']} ms, p95 {section['p95_ms']} ms, "
        f"p99 {section['p99_ms']} ms ({section['samples']} segments; "
        f"{section['timecodes_unreadable']} of "
        f"{section['timecodes_read'] + section['timecodes_unreadable']} codes unreadable)"
    ]
    if pdt := section.get("pdt_error"):
        lines.append(
            f"  glass  PDT − capture time: mean {pdt['mean_signed_ms']:+} ms, |error| p95 "
            f"{pdt['p95_ms']} ms, max {pdt['max_ms']} ms ({pdt['samples']} segments)"
        )
    return lines


def cost_json(cost: Cost) -> dict[str, Any]:
    """Each fault's impact priced, the table and the audience it was priced with."""
    return {
        "audience": cost.audience,
        "run_viewers": cost.run_viewers,
        "severities": dict(cost.severities),
        "assumption": cost.assumption,
        "total_usd": round(cost.total, 2),
        "faults": [
            {
                "fault_id": f.fault_id,
                "fault": f.fault,
                "target": f.target,
                "severity": f.severity,
                "basis": f.basis,
                "hourly_usd": f.hourly,
                "breach_s": f.breach_s,
                "share": round(f.share, 6),
                "affected_viewers": f.affected(cost.audience),
                "recovery_s": f.recovery_s,
                "recovered": f.recovered,
                "cost_usd": round(f.cost, 2),
            }
            for f in cost.faults
        ],
    }


def cost_lines(cost: dict[str, Any] | None) -> list[str]:
    """One line per priced fault and the total, with the assumption it rests on."""
    if not cost or not cost.get("faults"):
        return []
    audience = cost["audience"]
    lines = []
    for f in cost["faults"]:
        if f["recovered"] is None:
            recovered = "recovery not timed"
        elif f["recovered"] and f["recovery_s"] is None:
            recovered = "no visible effect"
        else:
            recovered = (
                f"recovered in {f['recovery_s']:.0f} s" if f["recovered"] else "never recovered"
            )
        lines.append(
            f"  cost   {f['fault_id']} {f['fault']} on {f['target']}: {f['severity']} "
            f"{usd(f['hourly_usd'])}/h × {f['breach_s']} s in breach × {f['share'] * 100:.1f}% "
            f"of users (≈{f['affected_viewers']:,} of {audience:,} viewers) = "
            f"{usd(f['cost_usd'])} ({recovered}; {f['basis']})"
        )
    lines.append(f"  cost   total {usd(cost['total_usd'])}: {cost['assumption']}; not a promise")
    return lines


def _check(check: Check) -> dict[str, Any]:
    row = asdict(check) | {"unit": check.unit or _unit(check.promise)}
    if isinstance(row["measured"], float) and not math.isfinite(row["measured"]):
        row["measured"] = None  # JSON has no infinity; `found` says "never"
    return row


def _unit(promise: str) -> str:
    return SLIS.get(promise).unit if promise in SLIS else "s"


def _probes(probes: dict[str, dict[str, Any]], outcome: RunOutcome) -> dict[str, Any]:
    """Each probe with every reading, seconds from the start (the HTML plots them)."""
    return {
        name: info
        | {
            "samples": [
                {
                    "t_s": round(s.t - outcome.started, 3),
                    "value": s.value,
                    "error": s.error,
                    **({"tag": s.tag} if s.tag else {}),
                }
                for s in outcome.probe_samples
                if s.probe == name
            ]
        }
        for name, info in probes.items()
    }


def _timeline(outcome: RunOutcome) -> list[dict[str, Any]]:
    rows = []
    quantiles = {q: SLIS.get(f"stream_latency_p{q}") for q in (50, 95, 99)}
    chat = SLIS.get("chat_delivered_within_100ms")
    for second in outcome.series:
        latency = {q: sli.measure([second]) for q, sli in quantiles.items()}
        delivered = chat.measure([second])
        users = second.counters.get(tm.USERS)  # absent when no worker set the gauge
        rows.append(
            {
                **({} if users is None else {"users": users}),
                "t": second.t - outcome.started,
                "requests": total([second], tm.REQUESTS),
                "errors": total([second], tm.REQUEST_ERRORS),
                "segments": total([second], tm.SEGMENTS),
                "stalls": total([second], tm.STALLS),
                "chat_delivered_within_100ms": None if delivered is None else round(delivered, 6),
                **{
                    f"latency_p{q}_ms": None if v is None else round(v * 1000, 1)
                    for q, v in latency.items()
                },
                **_glass_second(second),
            }
        )
    return rows


def _glass_second(second: tm.Second) -> dict[str, Any]:
    """A second's glass-to-glass percentiles and |PDT error| p95, only when it has them."""
    row: dict[str, Any] = {}
    if (glass := second.histograms.get(tm.GLASS_TO_GLASS)) is not None:
        row |= {f"glass_p{q}_ms": _ms(glass, q) for q in (50, 95, 99)}
    if (pdt := second.histograms.get(tm.PDT_ERROR)) is not None:
        row["pdt_error_p95_ms"] = _ms(pdt, 95)
    return row


def summary(report: dict[str, Any]) -> list[str]:
    """The terminal summary: one line per promise, the broken ones named."""
    lines = [f"livefire: {report['scenario']} — {report['status']}"]
    for fault in report["faults"]:
        lines.append(
            f"  fault {fault['fault_id']} {fault['fault']} on {fault['target']}: "
            f"t={fault['start_s']:.1f}s → {fault['end_s']:.1f}s"
        )
    for check in report["checks"]:
        mark = "VOID" if check.get("void") else "PASS" if check["passed"] else "FAIL"
        name = f"{check['promise']} [{check['phase']}]"
        lines.append(f"  {mark}  {name:<52} {check['found']:>12}  (promise {check['expected']})")
    for row in report.get("recovery") or []:
        if row.get("injected", True) and row.get("effect_from_s") is not None:
            to = row.get("effect_to_s")
            lines.append(
                f"  effect {row['fault_id']} on {row['sli']}: outside its SLO from "
                f"t={row['effect_from_s']:.0f}s to " + ("the end" if to is None else f"t={to:.0f}s")
            )
    lines += cost_lines(report.get("cost"))
    lines += glass_lines(report.get("glass_to_glass"))
    lines += budget_lines(report.get("latency_budget"))
    for worker, clock in report.get("clocks", {}).items():
        lines.append(
            f"  clock  {worker}: platform − generator {clock['offset_ms']:+.1f} ± "
            f"{clock['uncertainty_ms']:.1f} ms ({clock['samples']} responses)"
        )
    for fault_id in report["revert_failures"]:
        lines.append(
            f"  WARNING: fault {fault_id} could not be reverted; "
            "run `livefire chaos revert --journal RUN_DIR`"
        )
    for warning in report.get("telemetry_warnings") or []:
        lines.append(f"  WARNING: telemetry: {warning}")
    for warning in report.get("setup_warnings") or []:
        lines.append(f"  WARNING: setup: {warning}")
    if report.get("revert_watchdog"):
        lines.append(
            f"  WARNING: a detached watchdog (pid {report['revert_watchdog']}) keeps retrying "
            "those reverts; its log is RUN_DIR/logs/watchdog-detached.log"
        )
    broken = [
        f"{c['promise']} ({c['phase']})"
        for c in report["checks"]
        if not c["passed"] and not c.get("void")
    ]
    if report["result"] == "pass":
        lines.append("RESULT: PASS — every promise held")
    elif report["result"] == "fail":
        lines.append(f"RESULT: FAIL — broken: {', '.join(broken)}")
        lines += [f"  and beware: {reason}" for reason in report.get("inconclusive", [])]
    elif report["result"] == "inconclusive":
        reasons = report.get("inconclusive", [])
        lines.append(f"RESULT: INCONCLUSIVE — {len(reasons)} reason(s) not to trust this run:")
        lines += [f"  {reason}" for reason in reasons]
    else:
        why = f": {report['error']}" if report.get("error") else ""
        lines.append(f"RESULT: ABORTED ({report['status']}{why}) — no verdict")
    return lines
