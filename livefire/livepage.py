"""The live page (`/` of the metrics address): the run's SLIs plotted second by second with the
fault windows shaded, for whoever has no Grafana at hand. Pure: history in, HTML out (inline
SVG, no script, no network), refreshed by the browser every 2 s; a dashed line is the
scenario's overall promise.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

from livefire.livemetrics import Point
from livefire.progress import FaultMark, Tick
from livefire.verdict.slis import SLIS, format_value

WIDTH, HEIGHT, PAD = 360, 120, 4

STYLE = """body{font:14px sans-serif;background:#111;color:#ddd;margin:16px}
h1{font-size:20px;margin:0 0 4px}.meta{color:#aaa;margin-bottom:12px}
.grid{display:flex;flex-wrap:wrap;gap:12px}.plot{background:#1b1b1b;padding:8px;border-radius:4px}
.name{font-weight:bold}.now{float:right;color:#8fd}svg{display:block;margin-top:4px}
table{border-collapse:collapse;margin-top:12px}td,th{padding:2px 10px;text-align:left}"""


def render(
    scenario: str,
    points: Sequence[Point],
    last: Tick | None,
    marks: Sequence[FaultMark],
    t0: float,
    promises: Mapping[str, float] | None = None,
) -> str:
    """The page for `scenario`; `t0` is the wall-clock time at elapsed 0 (for fault windows);
    `promises`: SLI → its overall SLO, drawn as a dashed line."""
    promises = promises or {}
    windows = [(m.injected - t0, None if m.reverted is None else m.reverted - t0) for m in marks]
    span = max([p.elapsed for p in points] + [last.duration if last else 1.0, 1.0])
    plots = [_plot("users", [(p.elapsed, p.users) for p in points], windows, span)]
    for name in SLIS:
        series = [(p.elapsed, p.slis.get(name)) for p in points]
        if any(v is not None and math.isfinite(v) for _, v in series):
            plots.append(_plot(name, series, windows, span, promises.get(name)))
    return (
        '<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" '
        f'content="2"><title>livefire live: {html.escape(scenario)}</title>'
        f"<style>{STYLE}</style></head><body><h1>livefire live: {html.escape(scenario)}</h1>"
        f'<div class="meta">{_meta(last)}</div><div class="grid">{"".join(plots)}</div>'
        f"{_faults(marks, t0)}</body></html>"
    )


def _meta(last: Tick | None) -> str:
    if last is None:
        return "waiting for the first second of load"
    faults = ", ".join(last.active_faults) or "none"
    users = "?" if last.users is None else str(last.users)
    return html.escape(
        f"{last.elapsed:.0f} s of {last.duration:g} s · phase {last.phase or '?'} · "
        f"users {users} · active faults: {faults}"
    )


def _plot(
    key: str,
    series: list[tuple[float, float | int | None]],
    windows: list[tuple[float, float | None]],
    span: float,
    promise: float | None = None,
) -> str:
    values = [float(v) for _, v in series if v is not None and math.isfinite(v)]
    highest = max([*values, promise or 0.0])
    top = (highest if highest > 0 else 1.0) * 1.1  # all zero: 0..1

    def x(t: float) -> float:
        return PAD + (WIDTH - 2 * PAD) * min(max(t, 0.0), span) / span

    def y(v: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / top

    shades = "".join(
        f'<rect x="{x(a):.1f}" y="0" width="{max(x(span if b is None else b) - x(a), 1):.1f}" '
        f'height="{HEIGHT}" fill="#a33" opacity="0.35"/>'
        for a, b in windows
    )
    path = " ".join(
        f"{x(t):.1f},{y(float(v)):.1f}" for t, v in series if v is not None and math.isfinite(v)
    )
    slo = (
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(promise):.1f}" y2="{y(promise):.1f}" '
        'stroke="#fc6" stroke-dasharray="4 3"/>'
        if promise is not None
        else ""
    )
    now = series[-1][1] if series else None
    shown = _shown(key, now)
    scale = _shown(key, top / 1.1) if values else ""  # the top of the axis
    return (
        f'<div class="plot"><span class="name">{html.escape(key)}</span>'
        f'<span class="now">{html.escape(shown)}</span>'
        f'<svg width="{WIDTH}" height="{HEIGHT}" data-metric="{html.escape(key)}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#222"/>{shades}{slo}'
        f'<polyline points="{path}" fill="none" stroke="#6cf" stroke-width="2"/>'
        f'<text x="{PAD + 2}" y="12" fill="#888" font-size="10">{html.escape(scale)}</text>'
        f'<text x="{WIDTH - PAD - 2}" y="{HEIGHT - PAD - 2}" fill="#888" font-size="10" '
        f'text-anchor="end">{span:g} s</text></svg></div>'
    )


def _shown(key: str, value: float | int | None) -> str:
    if key == "users":
        return "no data" if value is None else f"{value:g}"
    return format_value(SLIS.get(key), None if value is None else float(value))


def _faults(marks: Sequence[FaultMark], t0: float) -> str:
    if not marks:
        return '<p class="meta">no fault injected yet</p>'
    rows = "".join(
        f"<tr><td>{html.escape(m.fault_id)}</td><td>{html.escape(m.fault)}</td>"
        f"<td>{html.escape(m.target)}</td><td>{m.injected - t0:.1f} s</td>"
        f"<td>{'in effect' if m.reverted is None else f'{m.reverted - t0:.1f} s'}</td></tr>"
        for m in marks
    )
    return (
        "<table><tr><th>fault</th><th>kind</th><th>target</th><th>injected</th>"
        f"<th>reverted</th></tr>{rows}</table>"
    )
