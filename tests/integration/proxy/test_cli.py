"""`livefire proxy serve` as a process: ready file, API, SIGTERM, exit codes and messages."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.integration.proxy.api_calls import call
from tests.integration.proxy.upstreams import connect, echo, round_trip, serving

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 15.0


def livefire(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    environ = {k: v for k, v in os.environ.items() if k != "LIVEFIRE_PROXY_TOKEN"}
    environ.update(PYTHONPATH=str(ROOT), **(env or {}))
    command = [sys.executable, "-m", "livefire", "proxy", "serve", *args]
    return subprocess.Popen(command, env=environ, stderr=subprocess.PIPE, text=True)


def wait_ready(path: Path, process: subprocess.Popen[str]) -> dict[str, object]:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.02)
    raise AssertionError(f"no ready file after {START_TIMEOUT} s")


@contextmanager
def serve(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, stop: int = signal.SIGTERM
) -> Iterator[str]:
    ready = tmp_path / "proxy.ready.json"
    process = livefire("--port", "0", "--ready-file", str(ready), *args, env=env)
    try:
        info = wait_ready(ready, process)
        assert info["name"] == "proxy" and info["pid"] == process.pid
        yield str(info["url"])
        process.send_signal(stop)
        _, err = process.communicate(timeout=START_TIMEOUT)
        assert process.returncode == 0, err
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=START_TIMEOUT)
    assert process.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_config_then_signal(tmp_path: Path, stop: int) -> None:
    with serving(echo) as upstream:
        config = tmp_path / "proxies.json"
        proxies = [{"name": "echo", "listen": "127.0.0.1:0", "upstream": upstream}]
        config.write_text(json.dumps(proxies))
        with serve(tmp_path, "--config", str(config), stop=stop) as url:
            status, body = call(f"{url}/proxies/echo")
            assert status == 200 and body["enabled"] is True  # type: ignore[index]
            with connect(body["listen"]) as sock:  # type: ignore[index]
                round_trip(sock)


@pytest.mark.parametrize(
    ("args", "env"),
    [
        ((), {"LIVEFIRE_PROXY_TOKEN": "s3cret"}),
        (("--token", "s3cret"), {}),
        (("--token", "s3cret"), {"LIVEFIRE_PROXY_TOKEN": "other"}),  # the flag wins
    ],
    ids=["env", "flag", "flag-over-env"],
)
def test_token_guards_mutating_calls(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    with serve(tmp_path, *args, env=env) as url:
        proxy = {"name": "p", "upstream": "127.0.0.1:9"}
        status, body = call(f"{url}/proxies", "POST", proxy)
        assert (status, body["status"]) == (401, 401) and "token" in body["error"]
        assert call(f"{url}/proxies", "POST", proxy, Authorization="Bearer other")[0] == 401
        assert call(f"{url}/reset", "POST")[0] == 401
        assert call(f"{url}/proxies")[0] == 200, "reads need no token"
        assert call(f"{url}/proxies", "POST", proxy, Authorization="Bearer s3cret")[0] == 201
        assert call(f"{url}/proxies/p", "PATCH", {"enabled": False})[0] == 401
        assert call(f"{url}/proxies/p", "DELETE")[0] == 401
        assert call(f"{url}/proxies/p", "DELETE", **{"X-Livefire-Token": "s3cret"})[0] == 204


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "invalid JSON"),
        ('{"name": "x"}', "expected a JSON list"),
        ('[{"name": "x"}]', "missing required field: [0].upstream"),
        (
            '[{"name": "x", "upstream": "h:1", "listen": "0.0.0.0:0"}]',
            "[0].listen: address is not loopback",
        ),
    ],
)
def test_bad_config_is_one_line_exit_2(tmp_path: Path, content: str, expected: str) -> None:
    config = tmp_path / "bad.json"
    config.write_text(content)
    process = livefire("--port", "0", "--config", str(config))
    _, err = process.communicate(timeout=START_TIMEOUT)
    assert process.returncode == 2
    assert len(err.strip().splitlines()) == 1, err
    assert str(config) in err and expected in err


def test_remote_api_address_needs_allow_remote(tmp_path: Path) -> None:
    process = livefire("--host", "0.0.0.0", "--port", "0")
    _, err = process.communicate(timeout=START_TIMEOUT)
    assert process.returncode == 2
    assert "--allow-remote" in err and "Traceback" not in err


def test_setup_failures_are_one_line_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        cases = [
            (["--port", port], "address already in use"),
            (["--port", "0", "--ready-file", str(tmp_path / "no" / "r.json")], "ready file"),
        ]
        for args, expected in cases:
            process = livefire(*args)
            _, err = process.communicate(timeout=START_TIMEOUT)
            assert process.returncode == 2, err
            assert len(err.strip().splitlines()) == 1 and expected in err, err
