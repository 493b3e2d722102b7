"""The clock probe against a real HTTP server whose clock runs 370 ms ahead of ours: viewers
polling at a few fixed phases leave the Date bound hundreds of milliseconds wide (a latency
verdict near its promise would be void); a few bisecting requests pin it to a round trip."""

from __future__ import annotations

import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import gevent
import pytest

from loadgen import clock_probe
from loadgen.clock import ClockEstimator
from loadgen.clock_probe import ClockProbe
from loadgen.config import LoadConfig
from loadgen.http import LeanHttpClient
from loadgen.user_http import UserHttp
from tests.http_serving import serving

pytestmark = pytest.mark.integration

AHEAD_S = 0.37


class AheadServer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def date_time_string(self, timestamp: float | None = None) -> str:
        return formatdate(time.time() + AHEAD_S, usegmt=True)

    def do_GET(self) -> None:
        body = b"#EXTM3U\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def phase_locked_polls(url: str, clock: ClockEstimator, phases: list[float]) -> None:
    """Three seconds of polls at fixed phases of our second, as a few viewers make them."""
    with LeanHttpClient(timeout=2.0) as lean:
        start = int(time.time()) + 1
        for second in range(3):
            for phase in phases:
                gevent.sleep(max(0.0, start + second + phase - time.time()))
                result = lean.get(url)
                assert result.ok, result.error
                clock.observe(result.headers, result.sent, result.first_byte)


def test_phase_locked_polls_leave_the_bound_wide_and_the_probe_narrows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock_probe, "PAUSE_S", 0.05)
    clock = ClockEstimator()
    with serving(AheadServer) as base:
        url = f"{base}/live/s/master.m3u8"
        phase_locked_polls(url, clock, [0.1, 0.15, 0.2])
        before = clock.bounds()
        assert before is not None and before.lo <= AHEAD_S <= before.hi
        assert before.uncertainty > 0.25  # the Date flips where no poll falls

        probe = ClockProbe(clock)
        probe.offer(UserHttp(LoadConfig(str(tmp_path), 1.0, {"viewer": 1}, []), "v1"), url)
        probing = gevent.spawn(probe.run)
        probing.join(timeout=30)
    assert probing.dead  # settled: it stopped by itself
    after = clock.bounds()
    assert after is not None and after.lo <= AHEAD_S <= after.hi
    assert after.uncertainty < 0.01, after
    assert clock.settled() and probe.sent < clock_probe.MAX_PROBES
    assert after.inconsistent == 0


def test_the_probe_sends_nothing_without_a_viewer_url_and_stops_at_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock_probe, "PAUSE_S", 0.01)
    monkeypatch.setattr(clock_probe, "MAX_PROBES", 3)
    clock = ClockEstimator()
    clock.add(-0.5, 0.5)  # a wide bound, as one early response leaves it
    clock.rtt = 0.001
    probe = ClockProbe(clock)
    idle = gevent.spawn(probe.run)
    gevent.sleep(0.2)
    assert probe.sent == 0  # no viewer has offered a URL yet
    with serving(AheadServer) as base:
        user = UserHttp(LoadConfig(str(tmp_path), 1.0, {"viewer": 1}, []), "v1")
        probe.offer(user, f"{base}/nowhere-else")
        idle.join(timeout=20)
    assert idle.dead and probe.sent == 3
