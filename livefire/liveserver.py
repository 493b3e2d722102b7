"""Serve a run's live view over HTTP: `/metrics` for Prometheus, `/` the live page.

One small threaded server in the conductor's process, bound where `--metrics-address` says
(loopback unless told otherwise). A busy or unbindable address is a `SetupError` naming it,
raised before anything starts.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from livefire.base.errors import SetupError
from livefire.livemetrics import LiveMetrics
from livefire.livepage import render

DEFAULT_HOST = "127.0.0.1"


def parse_address(text: str, option: str = "--metrics-address") -> tuple[str, int]:
    """`HOST:PORT`, `:PORT` or `PORT` (loopback); `[::1]:PORT` for IPv6. Port 0: any free."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]") if sep else ""
    if not port.isdigit() or int(port) > 65535:
        raise SetupError(f"{option} {text!r}: expected HOST:PORT, e.g. 127.0.0.1:9464")
    return host or DEFAULT_HOST, int(port)


def check_free(host: str, port: int, what: str) -> None:
    """Refuse a busy `host:port` now, in one line, rather than let the server that will bind
    it (Locust's web UI) fail later with a traceback. Port 0 is always free."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = (exc.strerror or str(exc)).lower()
            raise SetupError(f"{what} on {host}:{port}: {why}") from None


class LiveServer:
    """The live view's HTTP server; `url` says where it listens once started."""

    def __init__(self, metrics: LiveMetrics, host: str, port: int) -> None:
        self.metrics = metrics
        try:
            self.httpd = ThreadingHTTPServer((host, port), _handler(metrics))
        except OSError as exc:
            why = exc.strerror or str(exc)
            raise SetupError(f"live metrics on {host}:{port}: {why.lower()}") from None
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = str(self.httpd.server_address[0]), int(self.httpd.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(metrics: LiveMetrics) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(metrics.registry))
            elif path in ("/", "/live"):
                with metrics.lock:
                    last, points, t0 = metrics.last, list(metrics.history), metrics.t0
                marks = last.faults if last else ()
                overall = {
                    sli: v for (sli, phase), v in metrics.promises.items() if phase == "overall"
                }
                page = render(metrics.scenario, points, last, marks, t0, overall)
                self._send(200, "text/html; charset=utf-8", page.encode())
            else:
                self._send(404, "text/plain", b"not found: try /metrics or /\n")

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the run's output is the progress line, not an access log

    return Handler
