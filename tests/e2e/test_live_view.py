"""The live view of real game days: `run` and `suite` serve their live metrics while the
conductor plays (scraped here with requests), the shipped Grafana dashboard reads only names a
live endpoint serves, `--web` keeps Locust's UI readable but not steerable, and a busy address
is one line and exit 2."""

from __future__ import annotations

import math
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from chaos.journal import Journal
from livefire.base.processes import stragglers
from tests import grafana, screenshots
from tests.e2e.conftest import ROOT, livefire, report_of

pytestmark = pytest.mark.e2e

LIVE_VIEW = ROOT / "tests" / "fixtures" / "scenarios" / "live-view.yaml"
FAULT = {"fault": "edge-latency", "fault_id": "f0", "scenario": "live-view", "target": "edge-apac"}
DOCS_PNG = ROOT / "docs" / "live-view.png"  # LIVEFIRE_DOCS_SCREENSHOT=1 refreshes it


class Output:
    """A child's output, read line by line as it comes (the URLs are printed at the start)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc, self.lines = proc, []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = 90) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.text())
            if found:
                return found
            assert self.proc.poll() is None or self.thread.is_alive(), self.text()
            time.sleep(0.1)
        pytest.fail(f"{pattern!r} never printed:\n{self.text()}")

    def finish(self, timeout: float = 120) -> int:
        code = self.proc.wait(timeout=timeout)
        self.thread.join(timeout=10)
        return code


def scrape(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    text = requests.get(f"{url}/metrics", timeout=5).text
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((sample.labels, sample.value))
    return out


def value(
    scraped: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str
) -> float:
    [found] = [v for have, v in scraped.get(name, []) if labels.items() <= have.items()]
    return found


def test_run_serves_live_metrics_and_a_read_only_locust_ui(run_dir: Path, tmp_path: Path) -> None:
    proc = livefire(
        "run",
        str(LIVE_VIEW),
        "--run-dir",
        str(run_dir),
        "--metrics-address",
        "127.0.0.1:0",
        "--web",
    )
    out = Output(proc)
    metrics = out.wait_for(r"live metrics: (http://127\.0\.0\.1:\d+)/metrics").group(1)
    web = out.wait_for(r"Locust web UI: (http://127\.0\.0\.1:\d+)").group(1)
    phases, active, latency, users, stats_seen, png = set(), [], [], [], False, None
    exported: set[str] = set()  # every name the endpoint served during the run
    promise = None
    while proc.poll() is None:
        try:
            scraped = scrape(metrics)
        except requests.ConnectionError:
            break  # the run ended between poll() and the request
        on = {have["phase"] for have, v in scraped.get("livefire_phase", []) if v == 1}
        phases |= on
        exported |= set(scraped)
        if "livefire_slo" in scraped:
            promise = value(scraped, "livefire_slo", sli="stream_latency_p95", phase="overall")
        if "livefire_fault_active" in scraped:
            active.append(value(scraped, "livefire_fault_active", **FAULT))
        if on & {"during_faults", "before_faults"}:
            latency.append(value(scraped, "livefire_sli_stream_latency_p95_seconds"))
            users.append(value(scraped, "livefire_users", scenario="live-view"))
        if "during_faults" in on and not stats_seen:
            stats = requests.get(f"{web}/stats/requests", timeout=5).json()
            assert stats["state"] in ("running", "spawning"), stats
            assert {row["name"] for row in stats["stats"]} >= {"segment.ts"}, stats
            refused = requests.post(f"{web}/stop", timeout=5)
            assert refused.status_code == 403 and "conductor owns" in refused.text
            swarm = requests.post(f"{web}/swarm", data={"user_count": 1}, timeout=5)
            assert swarm.status_code == 403
            stats_seen = True
        late = (
            on & {"after_faults", "ended"} and value(scraped, "livefire_run_elapsed_seconds") >= 17
        )
        if late and png is None and active and active[-1] == 0:  # the whole run on the page
            png = screenshots.take(f"{metrics}/", tmp_path / "live.png", 1280, 900)
        time.sleep(0.5)
    assert out.finish() == 0, out.text()
    assert stats_seen, "the web UI was never seen mid-fault"
    assert {"before_faults", "during_faults", "after_faults"} <= phases
    dashboard = grafana.load()
    for title, expr in grafana.panel_queries(dashboard):  # the dashboard reads a live run
        assert grafana.metric_names(expr) <= exported, title
    for annotation in grafana.annotation_queries(dashboard):
        assert grafana.metric_names(annotation["expr"]) <= exported
    assert promise == 2.0  # the scenario's stream_latency_p95: 2s, beside the SLI
    assert 1.0 in active and active[-1] == 0.0  # the annotation's window opened and closed
    assert any(v > 0 and not math.isnan(v) for v in latency)
    assert max(v for v in users if not math.isnan(v)) == 10  # NaN until a second settles
    report = report_of(run_dir)
    assert report["status"] == "completed" and report["result"] == "pass"
    assert report["ended"] - report["started"] >= 19  # its own duration ended it, not /stop
    assert Journal(run_dir).active() == [] and stragglers(run_dir) == []
    assert png is not None and png.stat().st_size > 20_000
    assert screenshots.colours(screenshots.pixels(png), (82, 40, 40)) > 1_000  # fault shaded
    if os.environ.get("LIVEFIRE_DOCS_SCREENSHOT"):
        shutil.copy(png, DOCS_PNG)


def short(name: str, seconds: int) -> str:
    return (
        f"name: {name}\nduration: {seconds}s\n"
        "target:\n  embedded: {topology: default, streams: 1}\n"
        "load:\n  users: {viewer: 4}\n  shape: [{ramp: 2s, to: 1.0}]\n  workers: 1\n"
        "slos:\n  viewer_error_rate: 50%\n"
    )


def test_suite_exports_the_scenario_in_play(tmp_path: Path) -> None:
    for name in ("live-a", "live-b"):
        (tmp_path / f"{name}.yaml").write_text(short(name, 8))
    proc = livefire(
        "suite",
        str(tmp_path),
        "--run-dir",
        str(tmp_path / "runs"),
        "--metrics-port",
        "0",
        "--quiet",
    )
    out = Output(proc)
    metrics = out.wait_for(r"live metrics: (http://127\.0\.0\.1:\d+)/metrics").group(1)
    seen: list[tuple[str, float]] = []
    while proc.poll() is None:
        try:
            scraped = scrape(metrics)
        except requests.ConnectionError:
            break
        labels = {have["scenario"] for samples in scraped.values() for have, _ in samples}
        labels.discard(None)  # type: ignore[arg-type]
        assert len(labels) <= 1, labels  # only the scenario in play
        if labels and "livefire_run_elapsed_seconds" in scraped:
            [scenario] = labels
            seen.append((scenario, value(scraped, "livefire_suite_position")))
        time.sleep(0.5)
    assert out.finish() == 0, out.text()
    assert ("live-a", 1.0) in seen and ("live-b", 2.0) in seen
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)  # a, then b, never back


def test_a_busy_metrics_address_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        proc = livefire(
            "run", str(LIVE_VIEW), "--run-dir", str(tmp_path / "r"), "--metrics-port", str(port)
        )
        text, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2, text
    assert text.strip() == (
        f"livefire: setup failed: live metrics on 127.0.0.1:{port}: address already in use"
    )
    assert not (tmp_path / "r").exists()  # refused before anything started
