"""Timeline plots for the HTML report: one plotly figure per SLI family, each only when the
report's timeline carries its fields, and one per probe (its readings, no-data readings marked
along the axis); each with every fault window shaded and named, and recovery marked where the
report has recovery data.

Kept apart from `html.py` so the page layout and the plotting can change independently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from livefire.reports.base import Report, checks

Row = dict[str, Any]
Value = Callable[[Row], float | None]

FAULT_COLOURS = ("#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")
RECOVERY_COLOUR = "#2ca02c"


def field(key: str, scale: float = 1.0) -> Value:
    def value(row: Row) -> float | None:
        raw = row.get(key)
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            return None
        return float(raw) * scale

    return value


def error_rate(row: Row) -> float | None:
    requests, errors = row.get("requests"), row.get("errors")
    if not isinstance(requests, int | float) or not isinstance(errors, int | float):
        return None
    return 100.0 * errors / requests if requests else None


@dataclass(frozen=True)
class Line:
    label: str
    value: Value


@dataclass(frozen=True)
class Plot:
    """One figure: its lines, and the promises (SLO names) it shows and marks recovery for."""

    id: str
    title: str
    y_title: str
    lines: tuple[Line, ...]
    promises: tuple[str, ...] = ()  # SLO names whose thresholds are drawn, in the y unit
    scale: float = 1.0  # threshold (base unit) → y unit
    probe: str = ""  # a probe's plot: its rows are the probe's readings, not the timeline


PLOTS = (
    Plot(
        "latency",
        "Stream latency",
        "ms",
        (
            Line("p50", field("latency_p50_ms")),
            Line("p95", field("latency_p95_ms")),
            Line("p99", field("latency_p99_ms")),
        ),
        ("stream_latency_p50", "stream_latency_p95", "stream_latency_p99"),
        1000.0,
    ),
    Plot(
        "glass",
        "Glass-to-glass latency (decoded samples) and PDT's error",
        "ms",
        (
            Line("p50", field("glass_p50_ms")),
            Line("p95", field("glass_p95_ms")),
            Line("p99", field("glass_p99_ms")),
            Line("|PDT − capture| p95", field("pdt_error_p95_ms")),
        ),
        ("glass_to_glass_p50", "glass_to_glass_p95", "glass_to_glass_p99"),
        1000.0,
    ),
    Plot(
        "errors",
        "Viewer error rate",
        "% of requests",
        (Line("errors", error_rate),),
        ("viewer_error_rate",),
        100.0,
    ),
    Plot("users", "Active users", "users", (Line("users", field("users")),)),
    Plot("stalls", "Stalls", "stalls per second", (Line("stalls", field("stalls")),)),
    Plot(
        "chat",
        "Chat delivered within 100 ms",
        "% of messages",
        (Line("within 100 ms", field("chat_delivered_within_100ms", 100.0)),),
        ("chat_delivered_within_100ms",),
        100.0,
    ),
)


PROBE_UNITS = {"s": ("ms", 1000.0), "ratio": ("%", 100.0), "number": ("value", 1.0)}


def probe_plot(name: str, info: dict[str, Any]) -> Plot:
    y_title, scale = PROBE_UNITS.get(str(info.get("unit")), ("value", 1.0))
    title = f"Probe {name}: {info.get('reads', '')}"
    line = Line(name, field("value", scale))
    return Plot(f"probe-{name}", title, y_title, (line,), (f"probe:{name}",), scale, name)


def present(report: Report) -> list[Plot]:
    """The plots this report has data for, in display order: SLIs, then each probe."""
    rows = report.get("timeline") or []
    found = [p for p in PLOTS if any(ln.value(r) is not None for r in rows for ln in p.lines)]
    probes = report.get("probes") or {}
    return found + [probe_plot(name, info) for name, info in probes.items() if info["samples"]]


def rows_of(report: Report, plot: Plot) -> list[Row]:
    """The timeline, or a probe's readings as rows ({t, value, error})."""
    if not plot.probe:
        return list(report.get("timeline") or [])
    samples = (report.get("probes") or {}).get(plot.probe, {}).get("samples") or []
    return [{"t": s.get("t_s"), "value": s.get("value"), "error": s.get("error")} for s in samples]


def figure_html(report: Report, plot: Plot, include_plotlyjs: bool) -> str:
    """One `<div id="plot-ID">`; the first one on a page carries plotly.js inline."""
    import plotly.graph_objects as go  # deferred: JSON, JUnit and metrics don't need plotly

    rows = rows_of(report, plot)
    fig = go.Figure()
    xs = [r.get("t") for r in rows]
    for line in plot.lines:
        ys = [line.value(r) for r in rows]
        if any(y is not None for y in ys):
            mode = "lines+markers" if plot.probe else "lines"
            fig.add_trace(go.Scatter(x=xs, y=ys, name=line.label, mode=mode))
    missing = [r for r in rows if plot.probe and r.get("value") is None]
    if missing:  # no data never passes: show where, and why on hover
        fig.add_trace(
            go.Scatter(
                x=[r.get("t") for r in missing],
                y=[0.0] * len(missing),
                text=[str(r.get("error", "")) for r in missing],
                name="no data",
                mode="markers",
                marker={"symbol": "x", "color": "#b71c1c", "size": 9},
            )
        )
    _promise_lines(fig, report, plot)
    _fault_windows(fig, report, xs)
    _recovery_marks(fig, report, plot)
    return finished_html(fig, plot, plot.title, include_plotlyjs)


def finished_html(fig: Any, plot: Plot, title: str, include_plotlyjs: bool) -> str:
    """`fig` laid out as every livefire plot is (size, axes from zero, legend below) and
    rendered as a `<div>` (plotly.js inlined into the first plot of a page only)."""
    fig.update_layout(
        title=title,
        height=330,
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        xaxis_title="seconds since start",
        yaxis_title=plot.y_title,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_xaxes(rangemode="tozero")
    fig.update_yaxes(rangemode="tozero")
    return str(
        fig.to_html(
            full_html=False,
            include_plotlyjs=include_plotlyjs,
            div_id=f"plot-{plot.id}",
            config={"displaylogo": False, "responsive": True},
        )
    )


def _promise_lines(fig: Any, report: Report, plot: Plot) -> None:
    """Overall promises across the plot; during-fault promises only across the fault windows,
    which is where they are judged."""
    for check in checks(report):
        name, threshold = check.get("promise"), check.get("threshold")
        if name not in plot.promises or not isinstance(threshold, int | float):
            continue
        if str(check.get("phase", "")).startswith("steady_state"):
            continue  # a single reading's check: the readings themselves show it
        y, label = threshold * plot.scale, f"{name} {check.get('expected', '')}"
        if check.get("phase") == "overall":
            fig.add_hline(
                y=y,
                line_dash="dot",
                line_color="#555",
                annotation_text=f"promise {label}",
                annotation_position="top right",
            )
            continue
        for fault in report.get("faults") or []:
            start, end = fault.get("start_s"), fault.get("end_s")
            if isinstance(start, int | float) and isinstance(end, int | float):
                fig.add_shape(
                    type="line",
                    x0=start,
                    x1=end,
                    y0=y,
                    y1=y,
                    line={"dash": "dot", "color": "#b71c1c"},
                )


def _fault_windows(fig: Any, report: Report, xs: list[Any]) -> None:
    last = max((x for x in xs if isinstance(x, int | float)), default=0.0)
    for i, fault in enumerate(report.get("faults") or []):
        start = fault.get("start_s")
        if not isinstance(start, int | float):
            continue
        end = fault.get("end_s")
        fig.add_vrect(
            x0=start,
            x1=end if isinstance(end, int | float) else last,
            fillcolor=FAULT_COLOURS[i % len(FAULT_COLOURS)],
            opacity=0.15,
            line_width=0,
            annotation_text=f"{fault.get('fault_id', '')} {fault.get('fault', '?')}"
            f" on {fault.get('target', '?')}",
            annotation_position="top left",
        )


def _recovery_marks(fig: Any, report: Report, plot: Plot) -> None:
    """A dashed line where each fault's SLI recovered, on the plot that shows that SLI
    (the first plot when none does)."""
    shown = present(report) or [plot]
    for row in report.get("recovery") or []:
        at, sli = row.get("recovered_at_s"), str(row.get("sli", ""))
        home = next((p.id for p in shown if sli in p.promises), shown[0].id)
        if plot.id != home or not isinstance(at, int | float):
            continue
        seconds = row.get("seconds")
        took = f" in {seconds:.1f} s" if isinstance(seconds, int | float) else ""
        fig.add_vline(
            x=at,
            line_dash="dash",
            line_color=RECOVERY_COLOUR,
            annotation_text=f"{row.get('fault_id', '')} {sli} recovered{took}",
            annotation_position="bottom right",
        )
