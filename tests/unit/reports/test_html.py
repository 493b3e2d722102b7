"""report.html: self-contained, every figure present; rendered once per report variant
(embedding plotly.js makes each render cost a few hundred milliseconds)."""

from __future__ import annotations

import html
import re
from functools import cache

from livefire.reports import render
from tests.unit.reports import conftest


@cache
def page(variant: str) -> str:
    return render(getattr(conftest, f"{variant}_report")(), "html")


def plot_ids(text: str) -> list[str]:
    return re.findall(r'<div id="(plot-[a-z]+)"', text)


def test_plots_for_what_the_timeline_has() -> None:
    assert plot_ids(page("sample")) == ["plot-latency", "plot-errors", "plot-stalls"]
    assert plot_ids(page("full")) == [
        "plot-latency",
        "plot-errors",
        "plot-users",
        "plot-stalls",
        "plot-chat",
    ]


def test_plotly_is_inline_once_and_nothing_is_fetched() -> None:
    text = page("full")
    assert '<script src="http' not in text
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?(https?:)?//", text)
    assert text.count("plotly.js v") == 1  # the library's banner: embedded exactly once
    assert len(text) > 1_000_000


def test_fault_windows_are_named_on_the_plots() -> None:
    text = page("sample")
    assert "<td>edge-latency</td>" in text
    assert text.count("f0 edge-latency on edge-apac") == 3  # one annotation per plot


def test_every_check_beside_its_promise_and_production_figure() -> None:
    report, text = conftest.full_report(), page("full")
    for check in report["checks"]:
        row = (
            f"<td>{check['promise']}</td><td>{check['phase']}</td>"
            f"<td class=num>{check['found']}</td>"
            f"<td class=num>{html.escape(check['expected'])}</td>"
            f"<td>{check['documented'] or '—'}</td>"
        )
        assert row in text
    assert "p95 240 ms in production" in text
    assert "p99 320 ms in production" in text


def test_broken_promises_are_highlighted() -> None:
    text = page("broken")
    broken_rows = re.findall(r'<tr class="broken"><td>([^<]+)</td><td>([^<]+)</td>', text)
    assert broken_rows == [("stream_latency_p95", "during_faults")]
    assert '<span class="badge fail">FAIL</span>' in text
    assert 'class="broken"' not in page("sample")


def test_recovery_table_and_marks() -> None:
    text = page("full")
    assert '<table id="recovery">' in text
    assert (
        "<td class=num>2.5 s</td><td class=num>45 s</td><td class=num>30 s → 38 s</td>"
        "<td class=num>t=37.5 s</td>"
    ) in text
    assert "not recovered" in text
    # no excursion at all: held, and not dressed up as a 0 s recovery
    assert "<td>viewer_error_rate</td><td class=num>no visible effect</td>" in text
    assert "recovery of viewer_error_rate" not in text
    assert "recovery of chat_delivered_within_100ms from f0" in text  # in the broken banner
    assert "f0 stream_latency_p95 recovered in 2.5 s" in text
    assert '<table id="recovery">' not in page("sample")


def test_minimal_report_renders_without_plots() -> None:
    text = page("minimal")
    assert "The report has no per-second timeline." in text
    assert "No faults were injected." in text
    assert "plotly.js v" not in text
    assert "<td>viewer_error_rate</td>" in text


def test_names_are_escaped() -> None:
    report = conftest.sample_report()
    report["faults"][0]["fault"] = "<script>alert(1)</script>"
    report["scenario"] = "<b>x</b>"
    text = render(report, "html")
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>x</b>" not in text
