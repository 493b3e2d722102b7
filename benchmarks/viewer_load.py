"""One benchmark side in its own process: HLS viewers under a real Locust LocalRunner.

Run by viewers_per_core.py, pinned to one core: steps the viewer count up, measures each step
for a few seconds, prints one JSON line per step, stops after the first failing step.

The "lean" and "baseline" viewers poll the playlist once a second at their own random phase,
then immediately fetch the newest segment: 2 requests per second. A request's intended time is
its schedule slot (playlist) or the moment the playlist was in hand (segment); self-added
delay = the time the request actually left − that intended time, so a generator that falls
behind cannot hide it.

The "livefire" side runs livefire's real viewer, `loadgen.users.Viewer`, set up as
`locust -f loadgen/locustfile.py` sets it up (see `livefire_runner`): master playlist, m3u8
parsing, ABR, player-buffer model, clock estimate, audience sample, and its Recorder shipped
once a second with the event-loop probe running. Without blocking reload it polls the media
playlist one target duration after it last acted (2 requests per second), and states each
request's intended time itself (HttpResult.intended); the benchmark samples those from
Locust's request event, so all three sides are judged from the same numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent
import gevent.ssl
from locust import User, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from locust.runners import LocalRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from livefire.base.connect import Tls
from loadgen.config import LoadConfig
from loadgen.http import HttpResult, LeanHttpClient

Fetch = Callable[[str, str, float], tuple[bool, bytes, float]]
"""(url, name, intended) -> (ok, body, sent): all the lean and baseline sides do differently."""

LATE_MS = 50.0
"""A request leaving later than this after its intended time counts as late."""
MAX_ATTEMPTS = 3
DISTURBED_PCT = 5.0
"""A failing step is measured again once, and again while other processes took more than this
share of the wall time from the pinned core (the machine is shared): up to MAX_ATTEMPTS, each
after a new warm-up so that the previous attempt's backlog has drained."""


class Samples:
    """What the viewers measured during the current window (reset at its start)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.self_ms: list[float] = []
        self.latency_ms: list[float] = []
        self.failures = 0

    def add(self, intended: float, sent: float, ok: bool) -> None:
        self.self_ms.append((sent - intended) * 1000.0)
        self.latency_ms.append((time.time() - intended) * 1000.0)
        self.failures += not ok


SAMPLES = Samples()
PLAYLIST_URL = ""
CA: str | None = None
"""https:// sides: the CA bundle both clients verify the origin's certificate against."""


def watch(fetch: Fetch) -> None:
    """Play the live stream forever: poll, fetch the newest segment, wait for the next slot."""
    base = PLAYLIST_URL.rsplit("/", 1)[0] + "/"
    intended = time.time() + random.random()
    while True:
        delay = intended - time.time()
        if delay > 0:
            gevent.sleep(delay)
        ok, body, sent = fetch(PLAYLIST_URL, "playlist", intended)
        SAMPLES.add(intended, sent, ok)
        segment = newest_segment(body) if ok else None
        if segment:
            segment_intended = time.time()
            ok, _, sent = fetch(base + segment, "segment", segment_intended)
            SAMPLES.add(segment_intended, sent, ok)
        intended += 1.0


def newest_segment(playlist: bytes) -> str | None:
    for line in reversed(playlist.split(b"\n")):
        line = line.strip()
        if line and not line.startswith(b"#"):
            return line.decode()
    return None


class LeanViewer(User):
    """The livefire viewer's HTTP path: LeanHttpClient, latency from the intended time."""

    def on_start(self) -> None:
        self.lean = LeanHttpClient(timeout=10.0, request_event=self.environment.events.request)
        self.tls = Tls(ca=CA) if CA else None

    def fetch(self, url: str, name: str, intended: float) -> tuple[bool, bytes, float]:
        result = self.lean.get(url, name=name, intended=intended, tls=self.tls)
        return result.ok, result.body, result.sent

    @task
    def play(self) -> None:
        watch(self.fetch)


class BaselineViewer(FastHttpUser):
    """The same viewer on Locust's stock FastHttpUser client (geventhttpclient)."""

    host = "http://127.0.0.1"
    insecure = False  # https:// sides: verify against CA, as the lean side does

    @staticmethod
    def ssl_context_factory(**_: Any) -> gevent.ssl.SSLContext:
        return gevent.ssl.create_default_context(cafile=CA)

    def fetch(self, url: str, name: str, intended: float) -> tuple[bool, bytes, float]:
        sent = time.time()  # just before the call: generous to the baseline
        response = self.client.get(url, name=name)
        return 200 <= (response.status_code or 0) < 400, response.content or b"", sent

    @task
    def play(self) -> None:
        watch(self.fetch)


def livefire_runner(master_url: str, run_dir: str) -> LocalRunner:
    """The livefire side: `loadgen.users.Viewer` under a LocalRunner, set up as Locust's main
    sets up `locust -f loadgen/locustfile.py --headless --livefire-config …`: the options come
    from Locust's parser with the locustfile's own `--livefire-config` option, the Environment
    uses Locust's global events (where the locustfile's listeners are), and `init` is fired, so
    the locustfile itself installs `shipping.SHIPPER` (no master: its batches go to
    RUN_DIR/telemetry once a second, as a worker's go to its master). The viewers watch
    `master_url` directly (no router) and start within 1 s of spawning (spawn_jitter)."""
    from locust import events
    from locust.argument_parser import get_parser

    from loadgen import locustfile  # here, not above: it adds listeners to Locust's globals

    forever = 7 * 86400.0  # the benchmark, not the scenario's shape, decides the viewer count
    config = LoadConfig(
        run_dir=run_dir,
        duration=forever,
        users={"viewer": 1},
        shape=[{"hold": forever}],
        spawn_jitter=1.0,
        master_urls={"bench": [master_url]},
        region_shares={"bench": 1.0},
    )
    argv = ["--headless", "--livefire-config", config.to_json()]
    options = get_parser(default_config_files=[]).parse_args(argv)
    environment = Environment(
        user_classes=[locustfile.Viewer], events=events, parsed_options=options
    )
    runner = environment.create_local_runner()
    events.init.fire(environment=environment, runner=runner, web_ui=None)
    events.request.add_listener(sample_request)
    return runner


def sample_request(response: Any = None, **_: Any) -> None:
    """Locust's request listener on the livefire side: every request the viewers made, with
    the intended and sent times their own client stamped."""
    if isinstance(response, HttpResult):
        SAMPLES.add(response.intended, response.sent, response.ok)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summarize(viewers: int, seconds: float, cpu_seconds: float) -> dict[str, float | int | bool]:
    self_ms, latency_ms = SAMPLES.self_ms, SAMPLES.latency_ms
    requests = len(self_ms)
    late = sum(1 for value in self_ms if value > LATE_MS)
    rps = requests / seconds
    passed = (
        requests > 0
        and late <= 0.05 * requests
        and SAMPLES.failures <= 0.01 * requests
        and rps >= 0.95 * 2 * viewers
    )
    return {
        "viewers": viewers,
        "requests": requests,
        "rps": round(rps, 1),
        "failures": SAMPLES.failures,
        "on_time_pct": round(100.0 * (requests - late) / max(requests, 1), 2),
        "self_p50_ms": round(percentile(self_ms, 0.50), 2),
        "self_p99_ms": round(percentile(self_ms, 0.99), 2),
        "latency_p50_ms": round(percentile(latency_ms, 0.50), 2),
        "latency_p99_ms": round(percentile(latency_ms, 0.99), 2),
        "cpu_pct": round(100.0 * cpu_seconds / seconds, 1),
        "passed": passed,
    }


def run_steps(
    runner: LocalRunner,
    steps: list[int],
    warmup: float,
    measure: float,
    freeze: bool,
    spawn_rate: float | None = None,
) -> None:
    """Step the viewer count up until a step fails (see DISTURBED_PCT for re-measuring). A
    step's new viewers join at once, or at `spawn_rate` per second."""
    for viewers in steps:
        runner.start(viewers, spawn_rate=spawn_rate or max(1, viewers - runner.user_count))
        deadline = time.monotonic() + 30
        while runner.user_count < viewers and time.monotonic() < deadline:
            gevent.sleep(0.1)
        if freeze:
            gc.freeze()  # the users' long-lived objects: out of every later full collection
        gevent.sleep(warmup)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            step = measure_step(viewers, measure) | {"attempt": attempt}
            print(json.dumps(step), flush=True)
            disturbed = float(step["waited_pct"]) > DISTURBED_PCT
            if step["passed"] or (attempt > 1 and not disturbed):
                break
            gevent.sleep(warmup)  # let a backlog drain: it would fail the next attempt too
        if not step["passed"]:
            break
    runner.quit()


def measure_step(viewers: int, seconds: float) -> dict[str, float | int | bool]:
    SAMPLES.reset()
    started, cpu_started, waited_started = time.time(), time.process_time(), run_queue_wait()
    gevent.sleep(seconds)
    ended = time.time()
    wall = ended - started
    step = summarize(viewers, wall, time.process_time() - cpu_started)
    waited_pct = round(100.0 * (run_queue_wait() - waited_started) / wall, 1)
    return step | {"waited_pct": waited_pct, "started": started, "ended": ended}


def run_queue_wait() -> float:
    """Seconds this process was runnable but waited for its core (other processes on it)."""
    try:
        with open("/proc/self/schedstat") as schedstat:
            return int(schedstat.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sides = ["lean", "baseline", "livefire", "lean-https", "baseline-https"]
    parser.add_argument("--side", choices=sides, required=True)
    parser.add_argument("--url", required=True, help="media playlist URL (livefire: master)")
    parser.add_argument("--steps", required=True, help="comma-separated viewer counts")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--measure", type=float, default=3.0)
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one core")
    parser.add_argument("--no-freeze", action="store_true", help="skip gc.freeze() after spawning")
    parser.add_argument("--run-dir", help="livefire side: its RUN_DIR (default: a new temp dir)")
    parser.add_argument("--ca", help="https:// URL: the CA bundle that verifies the origin")
    parser.add_argument(
        "--spawn-rate", type=float, help="new viewers per second (default: all at once)"
    )

    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    logging.getLogger("locust").setLevel(logging.ERROR)
    global PLAYLIST_URL, CA
    PLAYLIST_URL, CA = args.url, args.ca
    if args.side == "livefire":
        runner = livefire_runner(args.url, args.run_dir or tempfile.mkdtemp(prefix="livefire-"))
    else:
        user_class = LeanViewer if args.side.startswith("lean") else BaselineViewer
        runner = Environment(user_classes=[user_class]).create_local_runner()
    steps = [int(n) for n in args.steps.split(",")]
    run_steps(runner, steps, args.warmup, args.measure, not args.no_freeze, args.spawn_rate)
    sys.stdout.flush()
    os._exit(0)  # skip tearing down thousands of greenlets and sockets one by one


if __name__ == "__main__":
    main()
