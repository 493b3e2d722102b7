"""The live view's HTTP server on loopback: Prometheus text at /metrics, the live page at /,
a busy address refused in one line, and a screenshot of the page by headless Chromium."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from livefire.base import telemetry as tm
from livefire.base.errors import SetupError
from livefire.livemetrics import LiveMetrics
from livefire.liveserver import LiveServer, check_free, parse_address
from livefire.progress import Tracker
from livefire.timeline import PlannedFault
from tests import screenshots

pytestmark = pytest.mark.integration

F0 = PlannedFault("f0", 0, "edge-latency", "edge-apac", 10.0, 20.0, 40.0)
FAULT_RED = (82, 40, 40)  # the page's #a33 fault shade at 35% over the #222 plot background


def fed(seconds_played: int = 30) -> LiveMetrics:
    """A registry fed the Ticks of a 30 s run with a fault from 10 s to 20 s."""
    live, tracker = LiveMetrics(), Tracker(40.0, 1)
    live.begin("smoke")
    t0 = live.t0 = 1_700_000_000.0
    for t in range(1, seconds_played + 1):
        if t == 10:
            tracker.injected(F0, t0 + t, ok=True)
        if t == 20:
            tracker.reverted("f0", t0 + t)
        second = tm.Second(int(t0) + t - 1)  # the second that ended at elapsed t
        for ms in (120, 180, 240) if not 10 <= t < 20 else (420, 480, 560):
            second.observe(tm.STREAM_LATENCY, ms / 1000)
        second.count(tm.REQUESTS, 100)
        second.count(tm.REQUEST_ERRORS, 3 if 10 <= t < 20 else 0)
        second.count(tm.USERS, min(40, 4 * t))
        live.update(tracker.tick(float(t), ["f0"] if 10 <= t < 20 else [], "", [second], 40))
    return live


@pytest.fixture
def server() -> Iterator[LiveServer]:
    live = LiveServer(fed(), "127.0.0.1", 0).start()
    yield live
    live.stop()


def test_metrics_and_the_live_page_are_served(server: LiveServer) -> None:
    text = requests.get(f"{server.url}/metrics", timeout=5).text
    names = {f.name for f in text_string_to_metric_families(text)}
    assert {"livefire_sli_stream_latency_p95_seconds", "livefire_fault_active"} <= names
    page = requests.get(f"{server.url}/", timeout=5)
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'data-metric="stream_latency_p95"' in page.text and "edge-apac" in page.text
    assert requests.get(f"{server.url}/nothing", timeout=5).status_code == 404


def test_a_busy_address_is_one_clear_error() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(SetupError, match=rf"127.0.0.1:{port}: address already in use$"):
            LiveServer(LiveMetrics(), "127.0.0.1", port)


def test_a_busy_web_ui_port_is_refused_before_locust_starts() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(SetupError, match=rf"Locust web UI on 127.0.0.1:{port}: address"):
            check_free("127.0.0.1", port, "Locust web UI")
    check_free("127.0.0.1", port, "Locust web UI")  # released: free again
    check_free("127.0.0.1", 0, "Locust web UI")


@pytest.mark.parametrize(
    ("text", "address"),
    [("9464", ("127.0.0.1", 9464)), (":0", ("127.0.0.1", 0)), ("0.0.0.0:80", ("0.0.0.0", 80))],
)
def test_addresses(text: str, address: tuple[str, int]) -> None:
    assert parse_address(text) == address


def test_a_bad_address_names_the_option() -> None:
    with pytest.raises(SetupError, match="--web-address 'here': expected HOST:PORT"):
        parse_address("here", "--web-address")


def test_headless_chromium_screenshots_the_live_page(server: LiveServer, tmp_path: Path) -> None:
    png = screenshots.take(f"{server.url}/", tmp_path / "live.png", 1280, 800)
    assert png.stat().st_size > 20_000
    image = screenshots.pixels(png)
    assert image.shape == (800, 1280, 3)
    # the fault window is shaded on the plots: a real render, not a blank or an error page
    assert screenshots.colours(image, FAULT_RED) > 2_000
