"""A stock nginx serving a live-like HLS stream on loopback, for the viewer benchmarks.

A thread publishes one 10 KB segment per second and rewrites the sliding-window playlist
atomically (write + rename), so viewers always see a moving live edge, as from a real origin
(one that is already live: the first viewers find a full window, not a stream just starting).
Each segment carries its EXT-X-PROGRAM-DATE-TIME (the moment its capture began, one segment
duration before it was published, and the same in every playlist that lists it), and a master
playlist names the one rendition with BANDWIDTH, RESOLUTION and CODECS, so a real player (and
livefire's viewer) can start from it and compute stream latency. Given a test CA's
certificates (`livefire_stubs.certs`), nginx serves the same files over TLS on a second port.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from livefire.base.processes import free_port

if TYPE_CHECKING:
    from livefire_stubs.certs import Certs

NGINX = "/usr/sbin/nginx"
WINDOW = 6
"""Segments listed in the playlist; files are kept twice as long for late viewers."""
MASTER = """\
#EXTM3U
#EXT-X-VERSION:3
#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION=426x240,CODECS="avc1.4d401e,mp4a.40.2"
index.m3u8
"""

CONFIG = """\
worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 16000; use epoll; multi_accept on; }}
http {{
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 120s;
    keepalive_requests 1000000;
    types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        {tls}
        root {root}/www;
        location /live/ {{ add_header Cache-Control "max-age=1"; }}
    }}
}}
"""


TLS = """listen 127.0.0.1:{port} ssl backlog=4096;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_session_cache shared:tls:10m;"""


class LiveOrigin:
    """nginx plus the segment publisher; use as a context manager, it always stops both."""

    def __init__(
        self, *, segment_bytes: int = 10 * 1024, cpu: int | None = None, tls: Certs | None = None
    ) -> None:
        self.segment = os.urandom(segment_bytes)
        self.cpu = cpu
        self.tls = tls
        self.root = Path(tempfile.mkdtemp(prefix="livefire-origin-"))
        self.port = free_port()
        self.playlist_url = f"http://127.0.0.1:{self.port}/live/index.m3u8"
        self.master_url = f"http://127.0.0.1:{self.port}/live/master.m3u8"
        self.tls_port = free_port() if tls else 0
        self.https_playlist_url = f"https://127.0.0.1:{self.tls_port}/live/index.m3u8"
        """The same playlist over TLS (when `tls` was given)."""
        self._captured: dict[int, float] = {}  # sequence → capture start (program-date-time)
        self._stop = threading.Event()
        self._publisher = threading.Thread(target=self._publish, daemon=True)
        self._nginx: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LiveOrigin:
        self.root.chmod(0o755)  # nginx workers run as nobody when started by root
        (self.root / "www" / "live").mkdir(parents=True)
        bandwidth = len(self.segment) * 8  # bits per second of 1 s segments
        _atomic_write(
            self.root / "www/live/master.m3u8", MASTER.format(bandwidth=bandwidth).encode()
        )
        started = time.time()  # already live: a full window, as a viewer joining finds it
        for sequence in range(WINDOW):
            self._publish_one(sequence, started - WINDOW + sequence)
        config = self.root / "nginx.conf"
        tls = self.tls
        listen_tls = (
            TLS.format(port=self.tls_port, cert=tls.server_cert, key=tls.server_key) if tls else ""
        )
        config.write_text(CONFIG.format(root=self.root, port=self.port, tls=listen_tls))
        cpu = self.cpu

        def prepare() -> None:
            die_with_parent(signal.SIGTERM)  # nginx's fast shutdown, workers included
            if cpu is not None:
                os.sched_setaffinity(0, {cpu})

        self._nginx = subprocess.Popen(
            [NGINX, "-p", f"{self.root}/", "-c", str(config), "-e", f"{self.root}/error.log"],
            preexec_fn=prepare,
        )
        _wait_listening(self.port, self._nginx)
        if tls:
            _wait_listening(self.tls_port, self._nginx)
        self._publisher.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._nginx is not None:
            self._nginx.terminate()
            try:
                self._nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._nginx.kill()
                self._nginx.wait()
        self._publisher.join(timeout=5)
        shutil.rmtree(self.root, ignore_errors=True)

    def _publish(self) -> None:
        sequence = WINDOW - 1
        next_at = time.time() + 1.0
        while not self._stop.wait(max(0.0, next_at - time.time())):
            sequence += 1
            next_at += 1.0
            self._publish_one(sequence, time.time() - 1.0)  # a 1 s segment, complete now

    def _publish_one(self, sequence: int, captured: float) -> None:
        live = self.root / "www" / "live"
        _atomic_write(live / f"seg{sequence}.ts", self.segment)
        self._captured[sequence] = captured
        self._captured.pop(sequence - WINDOW, None)
        first = max(0, sequence - WINDOW + 1)
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            "#EXT-X-TARGETDURATION:1",
            f"#EXT-X-MEDIA-SEQUENCE:{first}",
        ]
        for number in range(first, sequence + 1):
            stamp = datetime.fromtimestamp(self._captured[number], UTC)
            lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{stamp.isoformat(timespec='milliseconds')}")
            lines += ["#EXTINF:1.000,", f"seg{number}.ts"]
        _atomic_write(live / "index.m3u8", ("\n".join(lines) + "\n").encode())
        with contextlib.suppress(FileNotFoundError):
            (live / f"seg{sequence - 2 * WINDOW}.ts").unlink()


def die_with_parent(signum: int) -> None:
    """In a child about to exec: receive `signum` when the parent dies (Linux), so that a killed
    benchmark leaves no nginx or load process behind."""
    PR_SET_PDEATHSIG = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum)


def _atomic_write(path: Path, data: bytes) -> None:
    partial = path.with_suffix(".tmp")
    partial.write_bytes(data)
    partial.replace(path)


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with status {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on 127.0.0.1:{port} within 10 s")
