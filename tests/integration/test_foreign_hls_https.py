"""livefire's real Viewer over HTTPS against software nobody here wrote: Debian's stock nginx
with TLS (a CA this test makes) serving a live stream from ffmpeg's own HLS muxer, run by the
real Locust. Given the CA, the viewers play it and measure stream latency; given an unrelated
CA, every request fails and Locust's failure table says the certificate did not verify."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from livefire.base import telemetry as tm
from livefire.base.connect import EndpointSettings, Tls
from livefire.base.percentiles import nearest_rank
from loadgen.config import LoadConfig
from tests.integration.tls_origin import TlsStream, tls_hls_origin

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'target-stubs'}"}


@pytest.fixture(scope="module")
def tls_hls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsStream]:
    """ffmpeg's live HLS (1 s segments, program-date-time) from nginx over TLS; both stopped,
    and checked stopped, after the module's tests."""
    with tls_hls_origin(tmp_path_factory.mktemp("https-origin")) as stream:
        yield stream


def run_viewers(run_dir: Path, stream: TlsStream, tls: Tls, duration: float) -> Path:
    """Viewers under the real Locust, the hls endpoint configured with `tls`; Locust's CSV
    prefix (its failure table is PREFIX_failures.csv)."""
    config = LoadConfig(
        run_dir=str(run_dir),
        duration=duration,
        users={"viewer": 4},
        shape=[{"ramp": 1.0, "to": 1.0}],
        spawn_jitter=1.0,
        master_urls={"apac": [stream.url]},
        region_shares={"apac": 1.0},
        endpoints={"hls": EndpointSettings(tls=tls).to_json()},
    )
    prefix = run_dir / "locust"
    argv = [sys.executable, "-m", "locust", "-f", str(ROOT / "loadgen" / "locustfile.py")]
    argv += ["--headless", "--only-summary", "--csv", str(prefix)]
    argv += ["--livefire-config", config.to_json(), "Viewer"]
    done = subprocess.run(argv, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=90)
    assert done.returncode in (0, 1), done.stderr[-3000:]  # 1: some request failed
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return prefix


def failures(prefix: Path) -> dict[str, int]:
    with open(f"{prefix}_failures.csv", newline="") as table:
        return {row["Error"]: int(row["Occurrences"]) for row in csv.DictReader(table)}


def test_viewers_play_nginx_over_https_with_the_ca(tls_hls: TlsStream, tmp_path: Path) -> None:
    prefix = run_viewers(tmp_path, tls_hls, Tls(ca=tls_hls.certs.ca), 12.0)
    series = tm.merge_batches(tm.read_batches(tmp_path / "telemetry" / "batches.jsonl"))
    counted = {
        name: sum(s.counters.get(name, 0) for s in series)
        for name in (tm.SEGMENTS, tm.REQUESTS, tm.REQUEST_ERRORS)
    }
    assert counted[tm.SEGMENTS] >= 4 * 5, counted  # 4 viewers, a 1 s segment each second
    assert counted[tm.REQUEST_ERRORS] == 0 and failures(prefix) == {}
    latency = tm.Second(0)
    for second in series:
        latency.merge(second)
    histogram = latency.histograms[tm.STREAM_LATENCY]
    assert histogram.get_total_count() >= 20
    median_s = (nearest_rank(histogram, 50) or 0) / 1e6  # µs
    assert 0 < median_s < 5  # after capture, within the polling viewer's reach


def test_a_wrong_ca_fails_every_request_saying_why(tls_hls: TlsStream, tmp_path: Path) -> None:
    prefix = run_viewers(tmp_path, tls_hls, Tls(ca=tls_hls.other.ca), 6.0)
    series = tm.merge_batches(tm.read_batches(tmp_path / "telemetry" / "batches.jsonl"))
    assert sum(s.counters.get(tm.SEGMENTS, 0) for s in series) == 0
    assert sum(s.counters.get(tm.REQUEST_ERRORS, 0) for s in series) > 0
    table = failures(prefix)
    port = tls_hls.url.split(":")[2].split("/")[0]
    assert table, "the failures must reach Locust's failure table"
    expected = (
        "TLS: certificate verify failed: unable to get local issuer certificate "
        f"(ca: {tls_hls.other.ca}; from 127.0.0.1:{port})"
    )
    assert set(table) == {f"RequestFailed({expected!r})"}  # Locust's repr of the exception
