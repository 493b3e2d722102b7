"""A live HLS stream over TLS from software nobody here wrote: ffmpeg's own HLS muxer writing
into the root of Debian's stock nginx, which serves it with a certificate of a CA made for the
occasion (`livefire_stubs.certs`). Shared by the integration and e2e tests."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from livefire_stubs.certs import Certs, make_certs

from livefire.base.processes import free_port
from tests.stopping import stop

NGINX_CONF = """daemon off; user root; pid {d}/nginx.pid; error_log {d}/nginx-error.log;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{ access_log off; types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; }}
  server {{ listen 127.0.0.1:{port} ssl; root {d}/hls;
            ssl_certificate {cert}; ssl_certificate_key {key};
            location / {{ add_header Cache-Control no-cache; }} }} }}
"""
FFMPEG = [
    "ffmpeg", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=15",
    "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15",
    "-f", "hls", "-hls_time", "1", "-hls_list_size", "6",
    "-hls_flags", "program_date_time+delete_segments+independent_segments",
]  # fmt: skip


@dataclass(frozen=True)
class TlsStream:
    url: str
    """The live media playlist, https://127.0.0.1:PORT/live.m3u8."""
    certs: Certs
    """The CA that signed nginx's certificate (and a client certificate, unused by nginx)."""
    other: Certs
    """An unrelated CA: the wrong one."""


class OriginFailed(RuntimeError):
    """ffmpeg produced no playlist in time, or nginx exited."""


@contextmanager
def tls_hls_origin(directory: Path) -> Iterator[TlsStream]:
    """Start ffmpeg and nginx under `directory`; stop both on exit and check they are gone."""
    certs, other = make_certs(directory / "ca"), make_certs(directory / "other", cn="unrelated")
    (directory / "hls").mkdir()
    ffmpeg = subprocess.Popen(
        [*FFMPEG, str(directory / "hls" / "live.m3u8")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = free_port()
    conf = NGINX_CONF.format(d=directory, port=port, cert=certs.server_cert, key=certs.server_key)
    (directory / "nginx.conf").write_text(conf)
    nginx = subprocess.Popen(
        ["nginx", "-p", str(directory), "-c", str(directory / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        playlist = directory / "hls" / "live.m3u8"
        while not (playlist.exists() and playlist.read_text().count("#EXTINF") >= 3):
            if time.monotonic() > deadline or nginx.poll() is not None:
                raise OriginFailed("no live playlist from ffmpeg, or nginx exited")
            time.sleep(0.2)
        yield TlsStream(f"https://127.0.0.1:{port}/live.m3u8", certs, other)
    finally:
        stop(ffmpeg)
        stop(nginx)
    assert ffmpeg.poll() is not None and nginx.poll() is not None
    assert not (directory / "nginx.pid").exists()  # removed once nginx's workers are gone
