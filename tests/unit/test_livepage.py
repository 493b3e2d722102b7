"""The live page: plots only SLIs with data, shades each fault window where it happened."""

from __future__ import annotations

import re

from livefire.livemetrics import Point
from livefire.livepage import render
from livefire.progress import FaultMark, Tick

MARK = FaultMark("f0", "edge-latency", "edge-<apac>", 1010.0, 1020.0)


def points() -> list[Point]:
    return [
        Point(float(t), {"stream_latency_p95": 0.1 * t, "chat_loss": None}, 10, "before_faults")
        for t in range(1, 31)
    ]


def test_plots_the_slis_with_data_and_the_users() -> None:
    last = Tick(30.0, 40.0, (), phase="after_faults", users=10)
    page = render("smoke", points(), last, [MARK], 1000.0)
    plotted = set(re.findall(r'data-metric="(\w+)"', page))
    assert plotted == {"users", "stream_latency_p95"}  # chat_loss had no data: no plot
    assert "30 s of 40 s · phase after_faults · users 10" in page
    assert "3000 ms" in page  # the latest figure, formatted as the reports do


def test_a_fault_window_is_shaded_where_it_happened() -> None:
    page = render("smoke", points(), Tick(30.0, 40.0, ()), [MARK], 1000.0)
    # 10 s .. 20 s of a 40 s axis 352 px wide (4 px of padding each side)
    assert '<rect x="92.0" y="0" width="88.0"' in page
    assert "edge-&lt;apac&gt;" in page and "edge-<apac>" not in page  # escaped


def test_before_the_first_tick_it_says_it_is_waiting() -> None:
    page = render("smoke", [], None, [], 0.0)
    assert "waiting for the first second of load" in page and "no fault injected yet" in page


def test_the_overall_promise_is_a_dashed_line_on_its_plot() -> None:
    page = render("smoke", points(), None, [], 0.0, {"stream_latency_p95": 4.0})
    # 4 s on an axis topped at 4.4 s (the promise is above every value), 112 px tall
    assert page.count('stroke-dasharray="4 3"') == 1
    assert 'y1="14.2" y2="14.2"' in page
