"""`compare.html`: one self-contained page (plotly.js inline, no network) with the two runs
side by side: the comparison table, then each of the run report's plots with the baseline's
line drawn under the run's, so a regression is seen where it happened, fault windows shaded.

It reuses the run report's plot catalogue (`livefire.reports.plots.PLOTS`), so a plot the
HTML report gains appears here too, overlaid.
"""

from __future__ import annotations

from typing import Any

from livefire.history.compare import REGRESSED, VOID, Comparison, Row
from livefire.history.render import MARKS, RESULTS, delta, figure, magnitude
from livefire.reports.html import STYLE, esc
from livefire.reports.plots import FAULT_COLOURS, PLOTS, Plot, finished_html

Report = dict[str, Any]
LINE_COLOURS = ("#1f77b4", "#d62728", "#9467bd")
EXTRA_STYLE = "tr.regressed td{background:#ffebee;font-weight:600}"
BADGES = {"ok": "pass", "regressed": "fail", "inconclusive": "inconclusive"}  # STYLE's colours


def render(comparison: Comparison, baseline: Report, run: Report, names: tuple[str, str]) -> str:
    """The page; `names`: how the baseline and the run are shown (their directories)."""
    result = comparison.result
    badge = BADGES.get(result, "aborted")
    header = (
        f"<h1>livefire compare: {esc(comparison.scenario)} "
        f'<span class="badge {badge}">{esc(RESULTS[result])}</span></h1>\n'
        f'<p class="meta">baseline {esc(names[0])} ({esc(comparison.baseline_result)}) · '
        f"run {esc(names[1])} ({esc(comparison.run_result)}) · tolerance "
        f"{comparison.tolerance.tolerance * 100:g}% of each promise's room</p>"
    )
    regressions = [f"{r.promise} ({r.phase}): {r.why}" for r in comparison.regressions]
    warn = (
        '<div class="warn" id="regressions">Worse than the baseline:<ul>'
        + "".join(f"<li>{esc(r)}</li>" for r in regressions)
        + "</ul></div>"
        if regressions
        else ""
    )
    notes = "".join(f'<p class="warn">{esc(n)}</p>' for n in comparison.notes)
    body = "\n".join(
        p for p in (header, warn, notes, _table(comparison.rows), _plots(baseline, run)) if p
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>livefire compare — {esc(comparison.scenario)}</title>\n"
        f"<style>{STYLE}{EXTRA_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _table(rows: tuple[Row, ...]) -> str:
    head = (
        "<tr><th>Promise</th><th>Phase</th><th>Baseline</th><th>Run</th><th>Delta</th>"
        "<th>Allowed</th><th>Promised</th><th>Compared</th></tr>"
    )
    lines = []
    for row in rows:
        css = "regressed" if row.status == REGRESSED else "void" if row.status == VOID else ""
        either = row.run or row.baseline
        promised = (
            "—"
            if either is None or either.threshold is None
            else figure(either.threshold, row.unit)
        )
        lines.append(
            f'<tr class="{css}"><td>{esc(row.promise)}</td><td>{esc(row.phase)}</td>'
            f"<td class=num>{esc(row.baseline.found if row.baseline else '—')}</td>"
            f"<td class=num>{esc(row.run.found if row.run else '—')}</td>"
            f"<td class=num>{esc(delta(row.delta, row.unit))}</td>"
            f"<td class=num>{esc(magnitude(row.allowed, row.unit))}</td>"
            f"<td class=num>{esc(('<= ' if row.better == 'lower' else '>= ') + promised)}</td>"
            f'<td title="{esc(row.why)}">{esc(MARKS[row.status])}</td></tr>'
        )
    return (
        '<h2>Promises</h2>\n<table id="comparison">\n'
        + head
        + "\n"
        + "\n".join(lines)
        + ("\n</table>")
    )


def _plots(baseline: Report, run: Report) -> str:
    shown = [p for p in PLOTS if _has(run, p) or _has(baseline, p)]
    if not shown:
        return "<h2>Timeline</h2>\n<p>Neither report has a per-second timeline.</p>"
    divs = [_figure(baseline, run, p, include_plotlyjs=i == 0) for i, p in enumerate(shown)]
    note = (
        "<p class=meta>Dashed and pale: the baseline; solid: this run. Shaded: this run's "
        "fault windows.</p>"
    )
    return "<h2>Timeline</h2>\n" + note + "\n" + "\n".join(divs)


def _has(report: Report, plot: Plot) -> bool:
    rows = report.get("timeline") or []
    return any(line.value(r) is not None for r in rows for line in plot.lines)


def _figure(baseline: Report, run: Report, plot: Plot, include_plotlyjs: bool) -> str:
    import plotly.graph_objects as go  # deferred, as in the run report

    fig = go.Figure()
    for label, report, style in (("baseline", baseline, "base"), ("run", run, "run")):
        rows = report.get("timeline") or []
        xs = [r.get("t") for r in rows]
        for i, line in enumerate(plot.lines):
            ys = [line.value(r) for r in rows]
            if not any(y is not None for y in ys):
                continue
            base = style == "base"  # the baseline: the same colour, dashed and paler
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    name=f"{line.label} ({label})",
                    mode="lines",
                    line={"color": colour, "dash": "dash" if base else "solid"},
                    opacity=0.55 if base else 1.0,
                )
            )
    for i, fault in enumerate(run.get("faults") or []):
        start, end = fault.get("start_s"), fault.get("end_s")
        if isinstance(start, int | float) and isinstance(end, int | float):
            fig.add_vrect(
                x0=start,
                x1=end,
                fillcolor=FAULT_COLOURS[i % len(FAULT_COLOURS)],
                opacity=0.15,
                line_width=0,
                annotation_text=f"{fault.get('fault_id', '')} {fault.get('fault', '?')}",
                annotation_position="top left",
            )
    return finished_html(fig, plot, f"{plot.title}: baseline and run", include_plotlyjs)
