"""Fixtures for integration tests: a real Redis cluster and real component processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from livefire_stubs.redis_cluster import RedisCluster

STUBS = Path(__file__).resolve().parents[2] / "target-stubs"

Started = dict[str, Any]


@pytest.fixture(scope="module")
def shared_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    """One cluster for tests that do not break it."""
    with RedisCluster(tmp_path_factory.mktemp("redis")) as cluster:
        yield cluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[RedisCluster]:
    """A fresh cluster for a test that kills or freezes part of it."""
    with RedisCluster(tmp_path / "cluster") as fresh:
        yield fresh


class Components:
    """Starts `python -m livefire_stubs.<module>` processes and stops every one of them."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, module: str, *args: str, timeout: float = 15.0) -> Started:
        n = len(self.procs)
        ready = self.run_dir / f"{module}-{n}.ready.json"
        log = open(self.run_dir / f"{module}-{n}.log", "wb")  # noqa: SIM115 - owned by the process
        env = os.environ | {"PYTHONPATH": str(STUBS)}
        argv = [sys.executable, "-m", f"livefire_stubs.{module}", "--ready-file", str(ready)]
        proc = subprocess.Popen([*argv, *args], stdout=log, stderr=subprocess.STDOUT, env=env)
        self.procs.append(proc)
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                self.stop(proc)
                raise AssertionError(
                    f"{module} not ready: {log.name}\n{Path(log.name).read_text()}"
                )
            time.sleep(0.05)
        info: Started = json.loads(ready.read_text())
        info["process"] = proc
        return info

    def stop(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def stop_all(self) -> None:
        for proc in self.procs:
            self.stop(proc)


@pytest.fixture
def components(tmp_path: Path) -> Iterator[Components]:
    started = Components(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def http(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """One real HTTP request; returns (status, decoded JSON body) for 2xx and errors alike."""
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")
