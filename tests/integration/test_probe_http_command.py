"""HTTP and command probes against real endpoints and processes: a loopback HTTP(S) server
(status, JSON path, latency, a header from an env: secret, a CA bundle) and real commands
(exit code, a number printed, a timeout, no shell)."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from livefire.base import probe_samples
from livefire.probes import read_once
from livefire.probes.sampler import Sampler
from livefire.scenario.probes import ProbeSpec
from tests.prometheus_server import free_port

pytestmark = pytest.mark.integration

SECRET = "canary-probe-key-7f3a"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, {"ok": True, "lag_ms": 12.5, "role": "primary"})
        elif self.path == "/slow":
            time.sleep(0.6)
            self._send(200, {})
        elif self.path == "/broken":
            self._send(503, {"ok": False})
        elif self.path == "/auth":
            good = self.headers.get("X-Api-Key") == SECRET
            self._send(200 if good else 401, {"ok": good})
        else:
            self._send(404, {})

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def serve(server: ThreadingHTTPServer) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def http() -> Iterator[str]:
    for address in serve(ThreadingHTTPServer(("127.0.0.1", 0), Handler)):
        yield f"http://{address}"


@pytest.fixture(scope="module")
def https(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    for address in serve(server):
        yield f"https://{address}", cert


def spec(**kind: Any) -> ProbeSpec:
    return ProbeSpec.model_validate(kind)


def test_the_value_is_the_number_at_the_json_path(http: str) -> None:
    sample = read_once("lag", spec(http={"url": f"{http}/health", "json": "$.lag_ms"}))
    assert sample.value == 12.5
    ok = read_once("ok", spec(http={"url": f"{http}/health", "json": "$.ok"}))
    assert ok.value == 1.0  # true reads as 1


def test_without_a_json_path_the_value_is_the_latency(http: str) -> None:
    sample = read_once("slow", spec(http={"url": f"{http}/slow"}))
    assert sample.value is not None and 0.55 <= sample.value < 2.0


def test_an_unexpected_status_is_no_data(http: str) -> None:
    sample = read_once("b", spec(http={"url": f"{http}/broken", "json": "$.ok"}))
    assert sample.value is None and "HTTP 503 (expected 200)" in sample.error
    allowed = read_once("b", spec(http={"url": f"{http}/broken", "status": [503]}))
    assert allowed.value is not None


def test_a_json_path_to_nothing_or_to_text_is_no_data(http: str) -> None:
    missing = read_once("m", spec(http={"url": f"{http}/health", "json": "$.nope"}))
    assert missing.value is None and "nothing at $.nope" in missing.error
    text = read_once("t", spec(http={"url": f"{http}/health", "json": "$.role"}))
    assert text.value is None and "'primary', not a number" in text.error


def test_a_timeout_and_a_refused_connection_are_no_data(http: str) -> None:
    slow = read_once("s", spec(http={"url": f"{http}/slow", "timeout": "200ms"}))
    assert slow.value is None and "no answer within 0.2 s" in slow.error
    refused = read_once("r", spec(http={"url": f"http://127.0.0.1:{free_port()}/"}))
    assert refused.value is None and "unreachable" in refused.error


def test_a_header_secret_is_resolved_only_when_sending_and_never_written(
    http: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEFIRE_TEST_PROBE_KEY", SECRET)
    keyed = spec(
        http={"url": f"{http}/auth", "headers": {"X-Api-Key": "env:LIVEFIRE_TEST_PROBE_KEY"}}
    )
    assert keyed.http is not None and keyed.http.headers["X-Api-Key"].startswith("env:")
    sampler = Sampler({"auth": keyed}, tmp_path / "probes.jsonl")
    assert sampler.read_now("auth").value is not None  # the server saw the right key
    monkeypatch.setenv("LIVEFIRE_TEST_PROBE_KEY", "wrong")
    refused = sampler.read_now("auth")
    assert refused.value is None and "HTTP 401" in refused.error
    assert SECRET not in (tmp_path / "probes.jsonl").read_text()


def test_https_is_verified_against_the_given_ca(https: tuple[str, Path]) -> None:
    url, cert = https
    trusted = read_once("t", spec(http={"url": f"{url}/health", "tls": {"ca": str(cert)}}))
    assert trusted.value is not None, trusted.error
    stranger = read_once("s", spec(http={"url": f"{url}/health"}))
    assert stranger.value is None and "CERTIFICATE_VERIFY_FAILED" in stranger.error
    unchecked = read_once("u", spec(http={"url": f"{url}/health", "tls": {"verify": False}}))
    assert unchecked.value is not None


def command(*argv: str, **more: Any) -> ProbeSpec:
    return spec(command={"argv": list(argv), **more})


def test_a_command_reads_as_its_exit_code() -> None:
    assert read_once("c", command(sys.executable, "-c", "raise SystemExit(3)")).value == 3.0
    assert read_once("c", command("true")).value == 0.0


def test_a_command_reads_as_the_number_it_prints() -> None:
    printed = command(sys.executable, "-c", "print('warming'); print(' 41.5 ')", value="stdout")
    assert read_once("c", printed).value == 41.5
    failed = command(sys.executable, "-c", "print(1); raise SystemExit(2)", value="stdout")
    sample = read_once("c", failed)
    assert sample.value is None and "exit code 2" in sample.error


def test_a_command_is_never_run_through_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "shell-ran"
    sample = read_once("c", command("echo", f"7; touch {marker}", value="stdout"))
    assert sample.value is None and "not a number" in sample.error  # printed literally
    assert not marker.exists()
    assert read_once("c", command("echo", "$((1+1))", value="stdout")).value is None


def test_a_command_past_its_timeout_is_no_data() -> None:
    started = time.monotonic()
    sample = read_once("c", command("sleep", "5", timeout="300ms"))
    assert sample.value is None and "still running after 0.3 s" in sample.error
    assert time.monotonic() - started < 2.0


def test_readings_land_in_the_runs_telemetry(tmp_path: Path) -> None:
    path = tmp_path / "telemetry" / "probes.jsonl"
    sampler = Sampler(
        {"c": spec(command={"argv": ["echo", "5"], "value": "stdout"}, every="500ms")}, path
    )
    sampler.start()
    time.sleep(1.2)
    sampler.stop()
    written = probe_samples.read(path)
    assert len(written) >= 2 and all(s.value == 5.0 for s in written)
