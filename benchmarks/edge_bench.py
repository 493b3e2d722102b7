"""Edge cache-hit throughput against stock nginx, same file, same run.

    /work/venv/bin/python benchmarks/edge_bench.py [--seconds 8] [--connections 32]

One edge process (pinned to CPU 0) serves a cached 100 KB segment; wrk (pinned to CPU 1,
one thread) hammers it; then nginx (one worker, master off, pinned to CPU 0) serves the same
bytes from disk to the same wrk. Needs `wrk` (apt-get install wrk) and nginx.
Last line: `edge_rps=.. nginx_rps=.. ratio=.. segment_kb=100 loadgen=wrk`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _procs  # noqa: F401  (sys.path)
import requests
from livefire_stubs.launcher import child_env
from livefire_stubs.redis_cluster import free_port

from livefire.processes import ProcessGroup

SEGMENT = os.urandom(100 * 1024)
NGINX_CONF = """daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid;
error_log {d}/error.log; events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  server {{ listen 127.0.0.1:{port}; root {d}/www; }} }}
"""


def wrk(url: str, seconds: int, connections: int) -> float:
    argv = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if not match or non2xx:
        raise SystemExit(f"wrk failed or saw errors:\n{out}")
    return float(match.group(1))


def edge_rps(work: Path, seconds: int, connections: int) -> float:
    group = ProcessGroup(work)
    env = child_env(work)
    try:
        origin = group.spawn("origin", [sys.executable, "-m", "livefire_stubs.origin"], env=env)
        base = origin.ready["url"]
        rendition = {"name": "r", "bandwidth": 1, "width": 2, "height": 2, "fps": 1}
        requests.put(f"{base}/ingest/s", json={"renditions": [rendition]}).raise_for_status()
        headers = {"X-Program-Date-Time": str(time.time())}
        requests.put(f"{base}/ingest/s/r/0.ts", data=SEGMENT, headers=headers).raise_for_status()
        argv = ["taskset", "-c", "0", sys.executable, "-m", "livefire_stubs.edge"]
        edge = group.spawn("edge", [*argv, "--origin", base, "--region", "x"], env=env)
        url = f"{edge.ready['url']}/live/s/r/0.ts"
        assert requests.get(url).content == SEGMENT  # warm the cache
        return wrk(url, seconds, connections)
    finally:
        group.stop_all()


def nginx_rps(work: Path, seconds: int, connections: int) -> float:
    (work / "www").mkdir(parents=True)
    (work / "www" / "0.ts").write_bytes(SEGMENT)
    port = free_port()
    (work / "nginx.conf").write_text(NGINX_CONF.format(d=work, port=port))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    argv = ["taskset", "-c", "0", nginx, "-c", str(work / "nginx.conf"), "-p", str(work)]
    proc = subprocess.Popen(argv, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/0.ts"
        for _ in range(50):
            try:
                if requests.get(url, timeout=1).content == SEGMENT:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        return wrk(url, seconds, connections)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        edge = edge_rps(Path(tmp) / "edge", args.seconds, args.connections)
        nginx = nginx_rps(Path(tmp) / "nginx", args.seconds, args.connections)
    print(f"edge: {edge:.0f} req/s on cache hits; nginx: {nginx:.0f} req/s (same file)")
    print(
        f"edge_rps={edge:.0f} nginx_rps={nginx:.0f} ratio={edge / nginx:.3f} "
        f"segment_kb=100 loadgen=wrk"
    )


if __name__ == "__main__":
    main()
