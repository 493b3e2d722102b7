"""The safety net from outside: a conductor killed with SIGKILL, or one that outlives its
fault's TTL, still ends with a healthy proxy — read back through the proxy's own API."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chaos.journal import REVERTED, Journal
from tests.integration.chaos.conftest import PROXY, healthy, proxy_state

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
SLACK_S = 5.0


def wait_healthy(api: str, within: float) -> float:
    """Seconds until the proxy is healthy; fails the test after `within`."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if healthy(api):
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"proxy still faulty after {within:g} s: {proxy_state(api)}")


@pytest.fixture
def holder(
    tmp_path: Path, proxy_api: str
) -> Iterator[Callable[[float], tuple[subprocess.Popen[str], int]]]:
    """`holder(ttl)` starts the stand-in conductor; returns it and its watchdog's pid."""
    procs: list[tuple[subprocess.Popen[str], int]] = []

    def start(ttl: float) -> tuple[subprocess.Popen[str], int]:
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'target-stubs'}"}
        argv = [sys.executable, "-m", "tests.integration.chaos.holder"]
        proc = subprocess.Popen(
            [*argv, str(tmp_path), proxy_api, PROXY, str(ttl)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("injected "), line
        procs.append((proc, int(line.split()[1])))
        return procs[-1]

    yield start
    for proc, watchdog in procs:
        proc.kill()
        proc.wait(5)
        if proc.stdout:
            proc.stdout.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(watchdog, signal.SIGKILL)


def test_kill_9_of_the_conductor_is_reverted(
    holder: Callable[[float], tuple[subprocess.Popen[str], int]], proxy_api: str, tmp_path: Path
) -> None:
    ttl = 3.0
    proc, _ = holder(ttl)
    assert proxy_state(proxy_api)["enabled"] is False
    proc.send_signal(signal.SIGKILL)
    proc.wait(5)
    wait_healthy(proxy_api, ttl + SLACK_S)
    last = Journal(tmp_path).latest()["f0"]
    assert (last.event, last.by) == (REVERTED, "watchdog")


def test_ttl_is_enforced_while_the_conductor_lives(
    holder: Callable[[float], tuple[subprocess.Popen[str], int]], proxy_api: str
) -> None:
    ttl = 1.5
    proc, _ = holder(ttl)
    injected = time.monotonic()
    assert proxy_state(proxy_api)["enabled"] is False
    wait_healthy(proxy_api, ttl + SLACK_S)
    assert time.monotonic() - injected >= ttl - 0.5  # not before its TTL
    assert proc.poll() is None  # the conductor was alive all along
