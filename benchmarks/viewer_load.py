"""One benchmark side in its own process: HLS viewers under a real Locust LocalRunner.

Run by viewers_per_core.py, pinned to one core: steps the viewer count up, measures each step
for a few seconds, prints one JSON line per step, stops after the first failing step.

Each viewer polls the playlist once a second at its own random phase, then immediately fetches
the newest segment: 2 requests per second. A request's intended time is its schedule slot
(playlist) or the moment the playlist was in hand (segment); self-added delay = the time the
request actually left − that intended time, so a generator that falls behind cannot hide it.
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
import time
from collections.abc import Callable
from pathlib import Path

import gevent
from locust import User, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from loadgen.http import LeanHttpClient

Fetch = Callable[[str, str, float], tuple[bool, bytes, float]]
"""(url, name, intended) -> (ok, body, sent): the only thing the two sides do differently."""

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

    def fetch(self, url: str, name: str, intended: float) -> tuple[bool, bytes, float]:
        result = self.lean.get(url, name=name, intended=intended)
        return result.ok, result.body, result.sent

    @task
    def play(self) -> None:
        watch(self.fetch)


class BaselineViewer(FastHttpUser):
    """The same viewer on Locust's stock FastHttpUser client (geventhttpclient)."""

    host = "http://127.0.0.1"

    def fetch(self, url: str, name: str, intended: float) -> tuple[bool, bytes, float]:
        sent = time.time()  # just before the call: generous to the baseline
        response = self.client.get(url, name=name)
        return 200 <= (response.status_code or 0) < 400, response.content or b"", sent

    @task
    def play(self) -> None:
        watch(self.fetch)


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
    user_class: type[User], steps: list[int], warmup: float, measure: float, freeze: bool
) -> None:
    """Step the viewer count up until a step fails (see DISTURBED_PCT for re-measuring)."""
    environment = Environment(user_classes=[user_class])
    runner = environment.create_local_runner()
    for viewers in steps:
        runner.start(viewers, spawn_rate=max(1, viewers - runner.user_count))
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
    wall = time.time() - started
    step = summarize(viewers, wall, time.process_time() - cpu_started)
    return step | {"waited_pct": round(100.0 * (run_queue_wait() - waited_started) / wall, 1)}


def run_queue_wait() -> float:
    """Seconds this process was runnable but waited for its core (other processes on it)."""
    try:
        with open("/proc/self/schedstat") as schedstat:
            return int(schedstat.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--side", choices=["lean", "baseline"], required=True)
    parser.add_argument("--url", required=True, help="live playlist URL")
    parser.add_argument("--steps", required=True, help="comma-separated viewer counts")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--measure", type=float, default=3.0)
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one core")
    parser.add_argument("--no-freeze", action="store_true", help="skip gc.freeze() after spawning")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    logging.getLogger("locust").setLevel(logging.ERROR)
    global PLAYLIST_URL
    PLAYLIST_URL = args.url
    user_class = LeanViewer if args.side == "lean" else BaselineViewer
    steps = [int(n) for n in args.steps.split(",")]
    run_steps(user_class, steps, args.warmup, args.measure, not args.no_freeze)
    sys.stdout.flush()
    os._exit(0)  # skip tearing down thousands of greenlets and sockets one by one


if __name__ == "__main__":
    main()
