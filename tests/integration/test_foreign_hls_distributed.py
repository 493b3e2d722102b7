"""Viewers against a server nobody here wrote — ffmpeg's own HLS muxer behind a stock nginx —
driven by a real Locust master with two worker processes: the merged telemetry equals the sum
of its parts, and a worker killed mid-run shows up as a gap with its time range."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from livefire.base import telemetry as tm
from livefire.base.processes import free_port
from livefire.loadrunner import master_argv, worker_argv
from livefire.verdict.doubts import gaps
from livefire.verdict.slis import SLIS
from loadgen.config import LoadConfig
from tests.stopping import stop

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'target-stubs'}"}
NGINX_CONF = """daemon off; user root; pid {d}/nginx.pid; error_log {d}/nginx-error.log;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{ access_log off; types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; }}
  server {{ listen {host}:{port}; root {d}/hls;
            location / {{ add_header Cache-Control no-cache; }} }} }}
"""


@pytest.fixture
def live_hls(tmp_path: Path) -> Iterator[str]:
    """ffmpeg publishes a live HLS stream (1 s segments, program-date-time) served by nginx."""
    with serving_live_hls(tmp_path) as url:
        yield url


@contextmanager
def serving_live_hls(directory: Path, host: str = "127.0.0.1") -> Iterator[str]:
    """ffmpeg's live HLS (1 s segments, PDT) in `directory`, served by nginx on `host`."""
    hls = directory / "hls"
    hls.mkdir(parents=True)
    ffmpeg = subprocess.Popen(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x180:rate=15",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-g",
            "15",
            "-f",
            "hls",
            "-hls_time",
            "1",
            "-hls_list_size",
            "6",
            "-hls_flags",
            "program_date_time+delete_segments+independent_segments",
            str(hls / "live.m3u8"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = free_port(host)
    (directory / "nginx.conf").write_text(NGINX_CONF.format(d=directory, host=host, port=port))
    nginx = subprocess.Popen(
        ["nginx", "-p", str(directory), "-c", str(directory / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            playlist = hls / "live.m3u8"
            if playlist.exists() and playlist.read_text().count("#EXTINF") >= 3:
                break
            time.sleep(0.2)
        else:
            pytest.fail("ffmpeg produced no live playlist")
        yield f"http://{host}:{port}/live.m3u8"
    finally:
        stop(ffmpeg)
        stop(nginx)


def test_two_workers_merge_to_the_sum_and_a_killed_worker_is_a_gap(
    live_hls: str, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    config = LoadConfig(
        run_dir=str(run_dir),
        duration=22.0,
        users={"viewer": 20},
        shape=[{"ramp": 1.0, "to": 1.0}],
        spawn_jitter=1.0,
        master_urls={"apac": [live_hls]},
        region_shares={"apac": 1.0},
    )
    port = free_port()
    master = subprocess.Popen(
        master_argv(config, 2, "127.0.0.1", port, ["Viewer"]),
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "master.log").open("wb"),
    )
    workers = [
        subprocess.Popen(
            worker_argv("127.0.0.1", port),
            cwd=ROOT,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        started = run_dir / "telemetry" / "started.json"
        deadline = time.monotonic() + 30
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        t0 = json.loads(started.read_text())["t"]
        time.sleep(max(0.0, t0 + 9 - time.time()))
        killed_at = time.time()
        workers[1].send_signal(signal.SIGKILL)
        master.wait(60)
    finally:
        for proc in (*workers, master):
            stop(proc)
    batches = list(tm.read_batches(run_dir / "telemetry" / "batches.jsonl"))
    end = t0 + config.duration - 1  # the judged run: the master's series covers it whole
    series = [s for s in tm.read_series(run_dir / "telemetry" / "series.jsonl") if s.t < end]
    parts_of = [s for b in batches for s in b.seconds if s.t < end]
    assert len({b.worker for b in batches}) == 2
    for counter in (tm.REQUESTS, tm.SEGMENTS, tm.HEARTBEAT):
        parts = sum(s.counters.get(counter, 0) for s in parts_of)
        assert parts > 0
        assert sum(s.counters.get(counter, 0) for s in series) == parts, counter
    parts = sum(
        s.histograms[tm.STREAM_LATENCY].get_total_count()
        for s in parts_of
        if tm.STREAM_LATENCY in s.histograms
    )
    merged = sum(
        s.histograms[tm.STREAM_LATENCY].get_total_count()
        for s in series
        if tm.STREAM_LATENCY in s.histograms
    )
    assert merged == parts > 0
    healthy = [s for s in series if s.t < killed_at - 1]
    assert SLIS.get("viewer_error_rate").measure(healthy) == 0.0
    # a polling-only origin (no blocking reload): the viewers' polls keep to the target
    # duration, so a healthy stream never stalls them
    assert SLIS.get("rebuffering_ratio").measure(healthy) == 0.0
    assert sum(s.counters.get(tm.STALLS, 0) for s in healthy) == 0
    found = gaps(series, t0, t0 + 20)
    assert found, "the killed worker must show as a gap"
    start, end, missing = found[0]
    assert missing == 1
    assert killed_at - 3 <= start <= killed_at + 2 and end >= t0 + 17
