"""How many HLS viewers one Locust worker core sustains: livefire's viewer vs FastHttpUser.

    python benchmarks/viewers_per_core.py [--steps 500,1000,...] [--warmup 2] [--measure 3]

Starts a stock nginx (worker_processes 1, pinned to the second core when there is one) serving
a live-like stream: a master playlist naming one rendition, whose media playlist gains one
10 KB segment per second, each with its EXT-X-PROGRAM-DATE-TIME. Then, for each side in turn,
a subprocess pinned to the first core runs viewers under a real Locust Environment +
LocalRunner, each making 2 requests/s (a playlist, then the newest segment). The viewer count
steps up; each step spawns, settles for `--warmup` seconds and is measured for `--measure`
seconds. A step passes when at least 95% of requests leave within 50 ms of their intended
time, at most 1% fail and the request rate is at least 95% of the scheduled 2/s per viewer.
The cores may be shared: `waited_pct` is the share of the step the generator was runnable but
waited for its core (/proc/self/schedstat). A failing step is measured once more, and a third
time if other processes took more than 5% of the core (each time after a new warm-up);
stepping stops at the first step whose attempts all fail. Each side calls gc.freeze() after
spawning, so full collections skip the users' long-lived objects (--no-freeze: off).

The sides: "lean" is livefire's LeanHttpClient under a bare viewer (poll the media playlist
once a second at its own random phase, fetch the newest segment); "baseline" is that bare
viewer on Locust's stock FastHttpUser client (geventhttpclient); "livefire" is livefire's real
viewer, the `loadgen.users.Viewer` Locust user, set up as loadgen/locustfile.py sets it up
(telemetry shipper and all, no master) and watching the master playlist directly (no router):
m3u8 parsing, ABR, player-buffer model, clock estimate, its Recorder shipped once a second,
the event-loop probe and the audience sample. All report every request to Locust's
statistics. A bare viewer's poll is intended at its slot, a segment at the moment its playlist
was in hand; the real viewer states its own intended times (a poll one target duration after
it last acted, a segment when its playlist arrived) and the benchmark reads them, with the
send times, from Locust's request event. LeanHttpClient stamps the send time just before the
send syscall; the baseline's is stamped just before FastHttpSession.get (it exposes nothing
later), which flatters the baseline slightly. After the livefire side, a second table shows
what its viewers recorded themselves in each measured window (whole seconds only): their
schedule-lag p99, the stream latency they computed (a polling viewer discovers a segment up
to 1 s late), segments, stalls, session restarts and the seconds the worker marked itself
unreliable.

Then, unless --no-https, the same nginx serves the same files over TLS (a certificate of a CA
the benchmark makes, `livefire_stubs.certs`; TLS 1.3, keep-alive) and two more sides run over
https://: "lean-https" (the bare viewer on LeanHttpClient, verifying against that CA) and
"baseline-https" (the bare viewer on FastHttpUser, verifying against it too). A connection's
handshake happens once, when its viewer starts; the steady state costs what TLS adds to each
request. A handshake costs the client about 1.3 ms of CPU here (OpenSSL 3.0), so a thousand
viewers joining in the same second would put the generator over a second behind before the
step is measured: on these two sides a step's new viewers join at `HTTPS_SPAWN_RATE` a
second (a third of a core in handshakes), and warm-up starts once all have joined. Loopback
only; takes about five minutes.

Prints a table per step and ends with one line:
    viewers_per_core=N baseline_viewers_per_core=M ratio=N/M self_p99_ms=P
    livefire_viewers_per_core=L livefire_ratio=L/M livefire_self_p99_ms=Q
    https_viewers_per_core=H https_vs_http=H/N https_baseline_viewers_per_core=F
    https_vs_fasthttp=H/F https_self_p99_ms=S
(one line) where N, M, L, H and F are the largest passing steps of the lean, baseline,
livefire, lean-https and baseline-https sides, and P, Q and S the self-added send delay p99
(actual send − intended send) of the lean side at N, the livefire side at L and the lean-https
side at H viewers. A figure equal to the largest step means "at least that many". L, the real
viewer's figure, is the one to size workers by (ci/k8s); H/N is what HTTPS costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from live_origin import LiveOrigin, die_with_parent

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "target-stubs"))
from livefire_stubs.certs import make_certs

from livefire.base import telemetry as tm
from livefire.base.percentiles import nearest_rank

HERE = Path(__file__).resolve().parent
HTTPS_SPAWN_RATE = 250
"""New viewers per second on the https:// sides (see the docstring)."""
DEFAULT_STEPS = "500,1000,1250,1500,2000,2500,3000,4000,5000,6000,7000"
COLUMNS = (
    "viewers",
    "attempt",
    "rps",
    "on_time_pct",
    "self_p50_ms",
    "self_p99_ms",
    "latency_p50_ms",
    "latency_p99_ms",
    "failures",
    "cpu_pct",
    "waited_pct",
    "passed",
)
OWN_COLUMNS = (
    "viewers",
    "attempt",
    "lag_p99_ms",
    "stream_latency_p50_ms",
    "stream_latency_p99_ms",
    "segments",
    "stalls",
    "restarts",
    "unreliable_s",
)


def run_side(side: str, url: str, args: argparse.Namespace, cpu: int, *extra: str) -> list[dict]:
    """Run one side's steps in a pinned subprocess; print and return its step results."""
    command = [sys.executable, str(HERE / "viewer_load.py"), "--side", side]
    command += ["--url", url, "--steps", args.steps, "--cpu", str(cpu)]
    command += ["--warmup", str(args.warmup), "--measure", str(args.measure)]
    command += ["--no-freeze"] if args.no_freeze else []
    command += extra
    print(f"\n{side}: {'  '.join(COLUMNS)}", flush=True)
    steps: list[dict] = []
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: die_with_parent(signal.SIGKILL),
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            step = json.loads(line)
            steps.append(step)
            print(f"{side}: " + "  ".join(str(step[column]) for column in COLUMNS), flush=True)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return steps


def print_own_telemetry(steps: list[dict], run_dir: Path) -> None:
    """What the livefire viewers recorded themselves (their Recorder's per-second histograms
    and counters, as shipped) in each step's measured window, whole seconds only."""
    series = tm.read_series(run_dir / "telemetry" / "series.jsonl")
    if not series:  # the side died before its final batch: what it had shipped
        series = tm.merge_batches(tm.read_batches(run_dir / "telemetry" / "batches.jsonl"))
    print(f"\nlivefire, own telemetry: {'  '.join(OWN_COLUMNS)}")
    for step in steps:
        window = tm.Second(0)
        for second in series:
            if step["started"] <= second.t and second.t + 1 <= step["ended"]:
                window.merge(second)
        own = own_figures(window) | {"viewers": step["viewers"], "attempt": step["attempt"]}
        print("livefire: " + "  ".join(str(own[column]) for column in OWN_COLUMNS))


def own_figures(window: tm.Second) -> dict[str, object]:
    def ms(metric: str, percentile: float) -> object:
        histogram = window.histograms.get(metric)
        if histogram is None or not histogram.get_total_count():
            return "-"
        return round((nearest_rank(histogram, percentile) or 0) / 1000.0, 1)  # µs → ms

    counters = window.counters
    unreliable = sum(n for name, n in counters.items() if name.startswith(tm.WORKER_UNRELIABLE))
    return {
        "lag_p99_ms": ms(tm.SCHEDULE_LAG, 99),
        "stream_latency_p50_ms": ms(tm.STREAM_LATENCY, 50),
        "stream_latency_p99_ms": ms(tm.STREAM_LATENCY, 99),
        "segments": counters.get(tm.SEGMENTS, 0),
        "stalls": counters.get(tm.STALLS, 0),
        "restarts": counters.get(tm.SESSION_RESTARTS, 0),
        "unreliable_s": unreliable,
    }


def capacity(steps: list[dict]) -> dict | None:
    """The largest step that passed, if any."""
    passed = [step for step in steps if step["passed"]]
    return max(passed, key=lambda step: step["viewers"]) if passed else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", default=DEFAULT_STEPS, help="viewer counts, ascending")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--measure", type=float, default=3.0, help="seconds measured per step")
    parser.add_argument("--no-freeze", action="store_true", help="no gc.freeze() after spawning")
    parser.add_argument("--no-https", action="store_true", help="skip the two https:// sides")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # nginx inherits it
    cores = sorted(os.sched_getaffinity(0))
    load_cpu, nginx_cpu = cores[0], (cores[1] if len(cores) > 1 else None)
    print(f"load generator on core {load_cpu}, nginx on core {nginx_cpu}, nofile={hard}")
    started = time.monotonic()
    https: dict[str, list[dict]] = {"lean-https": [], "baseline-https": []}
    with tempfile.TemporaryDirectory() as run_dir, tempfile.TemporaryDirectory() as ca_dir:
        certs = None if args.no_https else make_certs(Path(ca_dir))
        with LiveOrigin(cpu=nginx_cpu, tls=certs) as origin:
            lean = run_side("lean", origin.playlist_url, args, load_cpu)
            baseline = run_side("baseline", origin.playlist_url, args, load_cpu)
            real = run_side("livefire", origin.master_url, args, load_cpu, "--run-dir", run_dir)
            if certs is not None:
                for side in https:
                    https[side] = run_side(
                        side,
                        origin.https_playlist_url,
                        args,
                        load_cpu,
                        *("--ca", certs.ca, "--spawn-rate", str(HTTPS_SPAWN_RATE)),
                    )
        print_own_telemetry(real, Path(run_dir))
    base = capacity(baseline)
    base_viewers = base["viewers"] if base else 0
    viewers, ratio, self_p99 = figures(capacity(lean), base_viewers)
    real_viewers, real_ratio, real_self_p99 = figures(capacity(real), base_viewers)
    print(f"\n({time.monotonic() - started:.0f} s)")
    line = (
        f"viewers_per_core={viewers} baseline_viewers_per_core={base_viewers} "
        f"ratio={ratio} self_p99_ms={self_p99} "
        f"livefire_viewers_per_core={real_viewers} livefire_ratio={real_ratio} "
        f"livefire_self_p99_ms={real_self_p99}"
    )
    if not args.no_https:
        tls_base = capacity(https["baseline-https"])
        tls_base_viewers = tls_base["viewers"] if tls_base else 0
        tls_viewers, vs_fasthttp, tls_self_p99 = figures(
            capacity(https["lean-https"]), tls_base_viewers
        )
        vs_http = f"{tls_viewers / viewers:.2f}" if viewers else "inf"
        print(
            f"https: lean {tls_viewers} viewers ({vs_http} of lean http's {viewers}), "
            f"FastHttpUser {tls_base_viewers} ({vs_fasthttp}x)"
        )
        line += (
            f" https_viewers_per_core={tls_viewers} https_vs_http={vs_http} "
            f"https_baseline_viewers_per_core={tls_base_viewers} "
            f"https_vs_fasthttp={vs_fasthttp} https_self_p99_ms={tls_self_p99}"
        )
    print(line)


def figures(best: dict | None, base_viewers: int) -> tuple[int, str, float]:
    """A side's capacity, its ratio to the baseline's and its self-added p99 there."""
    viewers = best["viewers"] if best else 0
    ratio = f"{viewers / base_viewers:.2f}" if base_viewers else "inf"
    return viewers, ratio, best["self_p99_ms"] if best else float("nan")


if __name__ == "__main__":
    main()
