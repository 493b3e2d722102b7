"""`report.html`: one self-contained page (plotly.js inline, no network) that tells the
story of a run: the verdict beside the promise and the production figure, recovery, the fault
windows, and per-second plots of what the users experienced.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any

from livefire.reports import plots
from livefire.reports.base import (
    Report,
    ReportFormat,
    broken,
    checks,
    duration_s,
    priced,
    register,
    usd,
)

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;
max-width:1300px}
h1{margin:0 0 4px}h2{margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555}.badge{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;
font-weight:600}.pass{background:#2e7d32}.fail{background:#c62828}.aborted{background:#ef6c00}
.inconclusive{background:#6a1b9a}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ddd;padding:5px 10px;
text-align:left}th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.broken td{background:#ffebee;font-weight:600}tr.void td{background:#f3e5f5}
.warn{background:#fff3e0;padding:8px;
border-left:4px solid #ef6c00}pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:12px}
.bars{width:320px}.bar{height:9px;margin:2px 0;border-radius:2px}.bar.measured{background:#1565c0}
.bar.budget{background:#9e9e9e}.bar.over{background:#c62828}#latency-budget td{white-space:nowrap}
"""


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def render(report: Report) -> str:
    title = f"livefire — {report.get('scenario', '?')}"
    parts = [
        _header(report),
        _verdict_table(report),
        _recovery_table(report),
        _faults_table(report),
        _cost_table(report),
        _budget_panel(report),
        _plots(report),
        _target(report),
    ]
    body = "\n".join(p for p in parts if p)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _header(report: Report) -> str:
    result = str(report.get("result", "?"))
    badge = result if result in ("pass", "fail", "aborted", "inconclusive") else "aborted"
    facts = [f"status {esc(report.get('status', '?'))}", f"file {esc(report.get('file', '?'))}"]
    if isinstance(report.get("started"), int | float):
        facts.append(f"started {_utc(report['started'])}")
    if (seconds := duration_s(report)) is not None:
        facts.append(f"took {seconds:.1f} s")
    lines = [
        f"<h1>livefire: {esc(report.get('scenario', '?'))} "
        f'<span class="badge {badge}">{esc(result.upper())}</span></h1>',
        f'<p class="meta">{" · ".join(facts)} · schema {esc(report.get("schema", "?"))}</p>',
    ]
    names = [f"{c.get('promise')} ({c.get('phase')})" for c in broken(report)]
    names += [f"recovery of {r.get('sli')} from {r.get('fault_id')}" for r in _late(report)]
    if names:
        lines.append(f'<p class="warn">Broken promises: {esc(", ".join(names))}</p>')
    reasons = [f"<li>{esc(reason)}</li>" for reason in report.get("inconclusive") or []]
    if reasons:
        lines.append(
            '<div class="warn" id="inconclusive">Inconclusive: these measurements cannot be '
            f"trusted, whatever they say.<ul>{''.join(reasons)}</ul></div>"
        )
    for warning in report.get("setup_warnings") or []:
        lines.append(f'<p class="warn">Setup: {esc(warning)}</p>')
    for fault_id in report.get("revert_failures") or []:
        lines.append(
            f'<p class="warn">Fault {esc(fault_id)} could not be reverted: run '
            "<code>livefire chaos revert --journal RUN_DIR</code></p>"
        )
    return "\n".join(lines)


def _verdict_table(report: Report) -> str:
    rows = []
    for check in checks(report):
        ok, void = bool(check.get("passed")), str(check.get("void") or "")
        state = "void" if void else "held" if ok else "broken"
        shown = f'<span title="{esc(void)}">VOID</span>' if void else "held" if ok else "BROKEN"
        rows.append(
            f'<tr class="{state}"><td>{esc(check.get("promise"))}</td>'
            f"<td>{esc(check.get('phase'))}</td><td class=num>{esc(check.get('found'))}</td>"
            f"<td class=num>{esc(check.get('expected'))}</td>"
            f"<td>{esc(check.get('documented') or '—')}</td>"
            f"<td>{shown}</td></tr>"
        )
    if not rows:
        return "<h2>Verdict</h2>\n<p>No promises were judged.</p>"
    head = (
        "<tr><th>Promise</th><th>Phase</th><th>Measured</th><th>Promised</th>"
        "<th>Production (documented)</th><th>Result</th></tr>"
    )
    return f'<h2>Verdict</h2>\n<table id="verdict">\n{head}\n' + "\n".join(rows) + "\n</table>"


def _recovery_table(report: Report) -> str:
    rows = []
    for row in report.get("recovery") or []:
        seconds, budget = row.get("seconds"), row.get("budget_s")
        took = f"{seconds:.1f} s" if _num(seconds) else "not recovered"
        if row.get("visible") is False:
            took = "no visible effect"
        held = _recovered_in_time(row)
        rows.append(
            f'<tr class="{"held" if held else "broken"}"><td>{esc(row.get("fault_id"))}</td>'
            f"<td>{esc(row.get('sli'))}</td><td class=num>{esc(took)}</td>"
            f"<td class=num>{esc(f'{budget:g} s' if _num(budget) else '—')}</td>"
            f"<td class=num>{esc(_effect(row))}</td>"
            f"<td class=num>{esc(_at(row.get('recovered_at_s')))}</td>"
            f"<td>{'held' if held else 'BROKEN'}</td></tr>"
        )
    if not rows:
        return ""
    head = (
        "<tr><th>Fault</th><th>SLI</th><th>Recovered in</th><th>Budget</th>"
        "<th>Outside its SLO</th><th>Recovered at</th><th>Result</th></tr>"
    )
    return f'<h2>Recovery</h2>\n<table id="recovery">\n{head}\n' + "\n".join(rows) + "\n</table>"


def _effect(row: dict[str, Any]) -> str:
    """When the fault's excursion outside the SLO began and ended, from the run's start."""
    start, end = _number(row.get("effect_from_s")), _number(row.get("effect_to_s"))
    if start is None:
        return "—"
    return f"{start:.0f} s → " + ("the end" if end is None else f"{end:.0f} s")


def _recovered_in_time(row: dict[str, Any]) -> bool:
    """No visible effect, or recovered before the run ended and within its budget."""
    if row.get("visible") is False:
        return True
    seconds, budget = _number(row.get("seconds")), _number(row.get("budget_s"))
    return seconds is not None and (budget is None or seconds <= budget)


def _late(report: Report) -> list[dict[str, Any]]:
    return [r for r in report.get("recovery") or [] if not _recovered_in_time(r)]


def _faults_table(report: Report) -> str:
    faults = report.get("faults") or []
    if not faults:
        return "<h2>Faults</h2>\n<p>No faults were injected.</p>"
    rows = [
        f"<tr><td>{esc(f.get('fault_id'))}</td><td>{esc(f.get('fault'))}</td>"
        f"<td>{esc(f.get('target'))}</td><td class=num>{esc(_at(f.get('start_s')))}</td>"
        f"<td class=num>{esc(_at(f.get('end_s')))}</td></tr>"
        for f in faults
    ]
    head = "<tr><th>Id</th><th>Fault</th><th>Target</th><th>From</th><th>To</th></tr>"
    return f'<h2>Faults</h2>\n<table id="faults">\n{head}\n' + "\n".join(rows) + "\n</table>"


def _cost_table(report: Report) -> str:
    """Each fault's impact priced, the total and the assumption; nothing when none priced."""
    faults, cost = priced(report), report.get("cost") or {}
    if not faults:
        return ""
    rows = [
        f"<tr><td>{esc(f.get('fault_id'))}</td><td>{esc(f.get('fault'))}</td>"
        f"<td>{esc(f.get('severity'))} ({esc(f.get('basis'))})</td>"
        f"<td class=num>{esc(usd(float(f.get('hourly_usd') or 0)))}/h</td>"
        f"<td class=num>{esc(f.get('breach_s'))} s</td>"
        f"<td class=num>{float(f.get('share') or 0) * 100:.1f}%</td>"
        f"<td class=num>{int(f.get('affected_viewers') or 0):,}</td>"
        f"<td class=num>{esc(usd(float(f.get('cost_usd') or 0)))}</td></tr>"
        for f in faults
    ]
    head = (
        "<tr><th>Id</th><th>Fault</th><th>Severity</th><th>Per hour</th><th>In breach</th>"
        "<th>Users affected</th><th>Viewers at production scale</th><th>Cost</th></tr>"
    )
    total = usd(float(cost.get("total_usd") or 0))
    note = (
        f"<p>Total <b>{esc(total)}</b>. {esc(cost.get('assumption', ''))}. "
        "Information, not a promise: it never changes the verdict.</p>"
    )
    table = f'<table id="cost">\n{head}\n' + "\n".join(rows) + "\n</table>"
    return "<h2>Incident cost</h2>\n" + table + "\n" + note


def _budget_panel(report: Report) -> str:
    """A bar per stage: its mean beside its documented budget (one scale for all); nothing
    when the platform stamped no segment (`latency_budget` absent or null)."""
    section = report.get("latency_budget")
    if not isinstance(section, dict) or not section.get("stages"):
        return ""
    rows, whole = list(section["stages"]), section.get("total")
    widest = max([_number(r.get(k)) or 0.0 for r in rows for k in ("mean_ms", "budget_ms")] + [1.0])
    lines = [_budget_row(row, widest) for row in rows]
    if isinstance(whole, dict):
        lines.append(_budget_row(whole, None, "captured → viewer"))
    head = (
        "<tr><th>Stage</th><th>Stamps</th><th>p50</th><th>p95</th><th>Mean</th>"
        "<th>Share</th><th>Budget (documented)</th><th>Mean vs budget</th></tr>"
    )
    note = (
        f"<p class=meta>From the platform's {esc(section.get('header'))} stamps on each live "
        "segment, over the whole run (fault windows included); blue: the stage's mean, grey: "
        "its documented budget (red: over it). Shares are of the summed means of the "
        "budgeted stages. Information, never a promise.</p>"
    )
    table = f'<table id="latency-budget">\n{head}\n' + "\n".join(lines) + "\n</table>"
    return "<h2>Latency budget per stage</h2>\n" + table + "\n" + note


def _budget_row(row: dict[str, Any], widest: float | None, label: str = "") -> str:
    mean, budget, share = (_number(row.get(k)) for k in ("mean_ms", "budget_ms", "share"))
    bars = ""
    if widest is not None and mean is not None:
        over = budget is not None and mean > budget
        bars = (
            f'<div class="bar measured{" over" if over else ""}" '
            f'style="width:{100 * mean / widest:.1f}%" title="mean {mean:g} ms"></div>'
        )
        if budget is not None:
            bars += (
                f'<div class="bar budget" style="width:{100 * budget / widest:.1f}%" '
                f'title="budget {budget:g} ms"></div>'
            )
    documented = row.get("documented", "")
    budget_text = f"{budget:g} ms ({documented})" if budget is not None else documented
    return (
        f'<tr class="stage" id="stage-{esc(row.get("name"))}">'
        f"<td>{esc(label or row.get('name'))}</td>"
        f"<td>{esc(row.get('from'))} → {esc(row.get('to'))}</td>"
        f"<td class=num>{esc(row.get('p50_ms'))} ms</td>"
        f"<td class=num>{esc(row.get('p95_ms'))} ms</td><td class=num>{esc(mean)} ms</td>"
        f"<td class=num>{'—' if share is None else f'{share * 100:.0f}%'}</td>"
        f"<td>{esc(budget_text)}</td><td class=bars>{bars}</td></tr>"
    )


def _plots(report: Report) -> str:
    shown = plots.present(report)
    if not shown:
        return "<h2>Timeline</h2>\n<p>The report has no per-second timeline.</p>"
    divs = [plots.figure_html(report, p, include_plotlyjs=i == 0) for i, p in enumerate(shown)]
    note = (
        "<p class=meta>Shaded: fault windows. Black dotted: promises for the whole run; "
        "red dotted: promises judged during faults. Dashed green: recovery.</p>"
    )
    return "<h2>Timeline</h2>\n" + note + "\n" + "\n".join(divs)


def _target(report: Report) -> str:
    target = report.get("target")
    if not target:
        return ""
    text = json.dumps(target, indent=2, sort_keys=True)
    return f"<h2>Target</h2>\n<details><summary>endpoints</summary><pre>{esc(text)}</pre></details>"


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any) -> float | None:
    return float(value) if _num(value) else None


def _at(value: Any) -> str:
    return f"t={value:.1f} s" if _num(value) else "—"


def _utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


FORMAT = register(
    ReportFormat("html", "report.html", render, "one self-contained page with plots, offline")
)
