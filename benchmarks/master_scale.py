"""Benchmark of the Locust master's telemetry path: how many workers one master keeps up with,
what it costs, and how long after a long run its verdict takes.

Run: python benchmarks/master_scale.py [--workers 250,500,1000,1500,2000] [--seconds 15]
                                       [--verdict-seconds 60] [--verdict-workers 1000]
                                       [--full]

Default: about 5 minutes on a 2-core machine. `--full` synthesizes the whole hour for the
verdict figure (3,600 s × 1,000 workers: ~25 GB of batches.jsonl, most of an hour to write)
instead of timing `--verdict-seconds` and scaling by 3600 / that (the merged series grows
with seconds, not with batches). Before the running merge the judge replayed batches.jsonl
holding every batch decoded (~0.85 MB each): that figure was taken with
`--verdict-workers 20` and scaled by worker-batches (the git history has that version).

**Real time.** For each N of `--workers`, a master process pinned to one core
(`os.sched_setaffinity`) runs a real Locust `MasterRunner` with livefire's locustfile loaded
and its shipper installed by the locustfile's own `init` listener; a second process pinned to
the other core plays N workers over Locust's real messaging: one zmq DEALER socket per worker
(identity = its client id, one shared zmq context), `locust.rpc.protocol.Message` frames, the
messages a `WorkerRunner` sends (`client_ready`, a `heartbeat` each second, and a
`livefire_telemetry` batch each second: `Batch.to_json()` of one second shaped like a
4,000-viewer worker's — 4,000 stream-latency, 8,000 request-latency and schedule-lag samples,
event-loop stalls at 10/s, a few startups and the viewer counters). Worker i sends at phase
i/N of each second. The backlog of a batch is when the master's shipper stored it minus when
it was sent (both on this machine's clock; the send time rides in the batch's `clock.worst`,
which the master ignores); N is sustained when every batch arrived and the worst backlog
after the 3 s warm-up stays under 2 s. The master's CPU share is its utime + stime over the
steady window (from /proc), per second of wall time. Peak RSS is the master's VmHWM.

**Verdict after 1 h × 1,000 workers.** A batches.jsonl of `--verdict-seconds` s ×
`--verdict-workers` workers (the same batch shapes) is written first, each batch merged into a
`RunningSeries` as the master does on arrival (untimed here: the real-time trials pay it; its
cost per batch is printed); what is timed is what happens between the end of the run and a
verdict that can start: the master's end-of-run write (`merging.write_run`), the judge's read
(`merging.read_run`, what `Conductor._collect` calls), then the stream-latency and request SLIs
over the whole run and per second (as recovery windows do). It runs in its own process; its
VmHWM is reported too.

Ends with one line: realtime_workers=… master_cpu_at_1000=… verdict_s_1h_1000=… peak_rss_mb=…
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _procs  # noqa: F401  (puts the checkout on sys.path)

ROOT = Path(__file__).resolve().parents[1]
WARMUP_S = 3.0
POOL = 16  # distinct worker-seconds, reused round-robin (their encoding is the costly part)


# shapes ----------------------------------------------------------------------------------------
def worker_seconds(pool: int = POOL, seed: int = 7) -> list[dict[str, Any]]:
    """`Second.to_json()`s shaped like a 4,000-viewer worker's second (t filled in later)."""
    from livefire.base import telemetry as tm

    rng = random.Random(seed)
    out = []
    for _ in range(pool):
        s = tm.Second(0)
        for _ in range(4000):
            s.observe(tm.STREAM_LATENCY, rng.lognormvariate(-1.69, 0.25))  # median 185 ms
        for _ in range(8000):
            s.observe(tm.REQUEST_LATENCY, rng.lognormvariate(-3.9, 0.8))  # median 20 ms
            s.observe(tm.SCHEDULE_LAG, rng.expovariate(1000.0))  # mean 1 ms
        for _ in range(10):
            s.observe(tm.EVENT_LOOP_STALL, rng.expovariate(500.0))
        for _ in range(40):
            s.observe(tm.STARTUP, rng.lognormvariate(0.2, 0.3))
        s.counters = {
            tm.REQUESTS: 8000,
            tm.SEGMENTS: 4000,
            tm.HEARTBEAT: 1,
            tm.WATCHED_MS: 4_000_000,
            tm.STREAMS_STARTED: 40,
            tm.VIEWERS_WATCHING: 4000,
            tm.VIEWERS_STALLED: rng.randint(0, 3),
            tm.USERS: 4000,
            tm.REQUEST_ERRORS: rng.randint(0, 2),
        }
        out.append(s.to_json())
    return out


def batch_json(
    shapes: list[dict[str, Any]], index: int, worker: str, seq: int, t: int
) -> dict[str, Any]:
    second = dict(shapes[(seq + index) % len(shapes)], t=t)
    clock = {"lo": -0.01, "hi": 0.01, "samples": 50, "bad": 0, "worst": 0.0}
    return {
        "worker": worker,
        "seq": seq,
        "final": False,
        "seconds": [second],
        "records": [],
        "clock": clock,
    }


# the master ------------------------------------------------------------------------------------
def run_master(port_file: Path, run_dir: Path, seconds: float, out: Path) -> None:
    os.sched_setaffinity(0, {0})
    _more_files()
    import gevent
    import locust
    from locust.argument_parser import get_parser
    from locust.env import Environment

    import loadgen.locustfile as locustfile  # registers its listeners on locust.events
    from loadgen import shipping
    from loadgen.config import LoadConfig

    config = LoadConfig(str(run_dir), seconds, {"viewer": 1}, [{"hold": seconds}])
    options = get_parser().parse_args(  # Locust's own options, the locustfile's among them
        ["-f", locustfile.__file__, "--master", "--livefire-config", config.to_json()]
    )
    env = Environment(
        user_classes=[locustfile.Viewer], events=locust.events, parsed_options=options
    )
    runner = env.create_master_runner("127.0.0.1", 0)
    env.events.init.fire(environment=env, runner=runner, web_ui=None)
    assert shipping.SHIPPER is not None
    env.events.test_start.fire(environment=env)
    port_file.write_text(str(runner.server.port))
    cpu: list[tuple[float, float]] = []
    end = time.monotonic() + 600.0  # until the first batch, then the run and 6 s more
    while time.monotonic() < end:
        gevent.sleep(0.5)
        if end - time.monotonic() > 300 and shipping.SHIPPER.workers:
            end = time.monotonic() + seconds + WARMUP_S + 6
        cpu.append((time.time(), _cpu_s(os.getpid())))
    workers = len(runner.clients.all)
    started = time.monotonic()
    shipping.SHIPPER._write_series()
    written = time.monotonic() - started
    out.write_text(
        json.dumps(
            {"cpu": cpu, "clients": workers, "series_s": written, "hwm_kb": _hwm_kb(os.getpid())}
        )
    )
    runner.quit()


def _more_files() -> None:
    """Raise the soft limit on open files to the hard one (N sockets on either side)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


# the workers -----------------------------------------------------------------------------------
def run_workers(port: int, n: int, seconds: float, out: Path) -> None:
    os.sched_setaffinity(0, {1} if os.cpu_count() and os.cpu_count() > 1 else {0})
    import zmq  # plain pyzmq, not zmq.green: no greenlets here
    from locust import __version__
    from locust.rpc.protocol import Message

    shapes = worker_seconds()
    _more_files()
    context = zmq.Context(io_threads=1)
    context.set(zmq.MAX_SOCKETS, n + 64)  # zmq's default is 1,023
    sockets = []
    for i in range(n):
        sock = context.socket(zmq.DEALER)
        sock.setsockopt(zmq.IDENTITY, f"sim-{i}".encode())
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(f"tcp://127.0.0.1:{port}")
        sock.send(Message("client_ready", __version__, f"sim-{i}").serialize())
        sockets.append(sock)
    start = int(time.time()) + 1
    sent = 0
    late = 0.0
    for k in range(int(seconds + WARMUP_S)):
        base = start + k
        for i, sock in enumerate(sockets):
            when = base + i / n
            delay = when - time.time()
            if delay > 0:
                time.sleep(delay)
            late = max(late, -delay)
            wid = f"sim-{i}"
            heartbeat = {"state": "running", "current_cpu_usage": 50.0}
            sock.send(
                Message("heartbeat", heartbeat | {"current_memory_usage": 1}, wid).serialize()
            )
            data = batch_json(shapes, i, wid, k, base - 2)
            data["clock"]["worst"] = time.time()  # the send time, for the backlog
            sock.send(Message("livefire_telemetry", data, wid).serialize())
            sent += 1
            while sock.poll(0):  # the master's acks and heartbeats
                sock.recv()
    out.write_text(json.dumps({"sent": sent, "sender_late_s": late}))
    time.sleep(1.0)
    for sock in sockets:
        sock.close()
    context.term()


# one real-time trial ---------------------------------------------------------------------------
def trial(n: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="master-scale-") as tmp:
        work = Path(tmp)
        port_file, m_out, w_out = work / "port", work / "master.json", work / "workers.json"
        env = os.environ | {"PYTHONPATH": f"{ROOT}:{ROOT / 'target-stubs'}"}
        me = [sys.executable, __file__]
        master = subprocess.Popen(
            [*me, "--role", "master", "--dir", tmp, "--seconds", str(seconds)], env=env
        )
        while not port_file.exists():
            time.sleep(0.05)
        port = int(port_file.read_text())
        args = ["--role", "workers", "--dir", tmp, "--port", str(port), "--n", str(n)]
        sim = subprocess.run([*me, *args, "--seconds", str(seconds)], env=env, check=False)
        master.wait(timeout=600)
        if sim.returncode or master.returncode:
            raise RuntimeError(f"N={n}: the workers' side or the master failed (see above)")
        m, w = json.loads(m_out.read_text()), json.loads(w_out.read_text())
        backlog, stored, first = [], 0, None
        for line in (work / "run" / "telemetry" / "batches.jsonl").open():
            data = json.loads(line)
            stored += 1
            first = data["clock"]["worst"] if first is None else min(first, data["clock"]["worst"])
            if data["clock"]["worst"] - first >= WARMUP_S:
                backlog.append(data["received"] - data["clock"]["worst"])
    t0, t1 = first + WARMUP_S, first + WARMUP_S + seconds
    window = [(t, c) for t, c in m["cpu"] if t0 <= t <= t1]
    if len(window) < 2:  # the master stored nothing in the steady window: far behind
        window = [(t0, float("nan")), (t1, float("nan"))]
    share = (window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0])
    worst = max(backlog, default=float("inf"))
    return {
        "n": n,
        "sent": w["sent"],
        "stored": stored,
        "worst_backlog_s": worst,
        "cpu_share": share,
        "sender_late_s": w["sender_late_s"],
        "series_write_s": m["series_s"],
        "master_hwm_mb": m["hwm_kb"] / 1024,
        "sustained": stored == w["sent"] and worst < 2.0,
    }


# the verdict after a long run ------------------------------------------------------------------
def run_verdict(tmp: Path, seconds: int, workers: int, out: Path) -> None:
    from livefire.base import merging
    from livefire.base import telemetry as tm

    telemetry = tmp / "telemetry"
    telemetry.mkdir(parents=True)
    shapes = worker_seconds()
    t0 = 1_700_000_000
    running = merging.RunningSeries()  # what the master merges as the batches arrive
    merge_s = 0.0
    with (telemetry / "batches.jsonl").open("w") as sink:
        for k in range(seconds):
            for i in range(workers):
                data = batch_json(shapes, i, f"w{i}", k, t0 + k)
                sink.write(json.dumps({"received": 0.0, **data}) + "\n")
                began = time.monotonic()
                running.add(tm.Batch.from_json(data))
                merge_s += time.monotonic() - began
        offset = sink.tell()
    started = time.monotonic()
    merging.write_run(telemetry, running, offset)  # the master's end of run
    series_s = time.monotonic() - started
    run = merging.read_run(telemetry)  # the judge's read (Conductor._collect)
    collect_s = time.monotonic() - started - series_s
    sli_s = time_slis(run.series)
    total = time.monotonic() - started
    kept = sum(h.nbytes for s in running.series() for h in s.histograms.values())
    out.write_text(
        json.dumps(
            {
                "series_s": series_s,
                "collect_s": collect_s,
                "sli_s": sli_s,
                "total_s": total,
                "seconds": len(run.series),
                "hwm_kb": _hwm_kb(os.getpid()),
                "file_mb": (telemetry / "batches.jsonl").stat().st_size / 2**20,
                "merge_ms_per_batch": merge_s / (seconds * workers) * 1000,
                "kept_kb_per_second": kept / len(run.series) / 1024,
            }
        )
    )


def time_slis(series: list[Any]) -> float:
    from livefire.verdict.slis import SLIS

    started = time.monotonic()
    names = ("stream_latency_p95", "stream_latency_p99", "request_latency_p99")
    names = tuple(name for name in names if name in SLIS)
    for name in names:
        SLIS.get(name).measure(series)  # whole run
    p95 = SLIS.get("stream_latency_p95")
    for second in series:
        p95.measure([second])  # per second, as recovery windows are judged
    return time.monotonic() - started


def verdict(seconds: int, workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="master-scale-v-") as tmp:
        env = os.environ | {"PYTHONPATH": f"{ROOT}:{ROOT / 'target-stubs'}"}
        args = ["--role", "verdict", "--dir", tmp, "--seconds", str(seconds), "--n", str(workers)]
        subprocess.run([sys.executable, __file__, *args], env=env, check=True)
        return json.loads((Path(tmp) / "verdict.json").read_text())


# main ------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", default="250,500,1000,1500,2000")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--verdict-seconds", type=int, default=60)
    parser.add_argument("--verdict-workers", type=int, default=1000)
    parser.add_argument("--full", action="store_true", help="synthesize the whole hour")
    parser.add_argument("--role", default="", help=argparse.SUPPRESS)
    parser.add_argument("--dir", default="", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = Path(args.dir) if args.dir else None
    if args.role == "master" and work:
        return run_master(work / "port", work / "run", args.seconds, work / "master.json")
    if args.role == "workers" and work:
        return run_workers(args.port, args.n, args.seconds, work / "workers.json")
    if args.role == "verdict" and work:
        return run_verdict(work, int(args.seconds), args.n, work / "verdict.json")
    report(args)


def report(args: argparse.Namespace) -> None:
    trials = []
    for n in (int(x) for x in args.workers.split(",")):
        result = trial(n, args.seconds)
        trials.append(result)
        print(
            f"N={n:5d}  sent={result['sent']:6d} stored={result['stored']:6d}  worst backlog "
            f"{result['worst_backlog_s']:7.2f} s  master CPU {result['cpu_share']:.2f} core  "
            f"sender late {result['sender_late_s']:.2f} s  series write "
            f"{result['series_write_s']:.2f} s  master VmHWM {result['master_hwm_mb']:.0f} MB  "
            f"{'sustained' if result['sustained'] else 'BEHIND'}",
            flush=True,
        )
        if not result["sustained"]:
            break
    ok = [t["n"] for t in trials if t["sustained"]]
    at = [t for t in trials if t["n"] == 1000] or [max(trials, key=lambda t: t["n"])]
    seconds, workers = (3600, 1000) if args.full else (args.verdict_seconds, args.verdict_workers)
    v = verdict(seconds, workers)
    scale = 3600 / v["seconds"]  # the series grows with seconds, not batches
    hour = v["total_s"] * scale
    print(
        f"verdict path, {v['seconds']} s x {workers} workers "
        f"(batches.jsonl {v['file_mb']:.0f} MB): "
        f"master series write {v['series_s']:.2f} s, judge's read {v['collect_s']:.2f} s, SLIs "
        f"{v['sli_s']:.2f} s, total {v['total_s']:.2f} s (x{scale:g} for the hour: {hour:.0f} s), "
        f"VmHWM {v['hwm_kb'] / 1024:.0f} MB; merged during the run at "
        f"{v['merge_ms_per_batch']:.3f} ms per batch, kept {v['kept_kb_per_second']:.0f} KB "
        "per merged second"
    )
    peak = max([t["master_hwm_mb"] for t in trials] + [v["hwm_kb"] / 1024])
    cpu_note = "" if at[0]["n"] == 1000 else f"@{at[0]['n']}"
    print(
        f"realtime_workers={max(ok, default=0)} master_cpu_at_1000={at[0]['cpu_share']:.2f}"
        f"{cpu_note} verdict_s_1h_1000={hour:.0f} peak_rss_mb={peak:.0f}"
    )


if __name__ == "__main__":
    main()
