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

from chaos.drivers.command import Command
from chaos.drivers.process import start_time
from chaos.journal import INJECTED, INJECTING, REVERT_FAILED, REVERTED, VOID, Entry, Journal, now
from chaos.watchdog import PLATFORM_GRACE_S
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


FLAKY_REVERT = """
import pathlib, sys
counter = pathlib.Path(sys.argv[1])
tries = int(counter.read_text() or 0) + 1 if counter.exists() else 1
counter.write_text(str(tries))
sys.exit(0 if tries >= int(sys.argv[2]) else 1)
"""


def orphan_watchdog(run_dir: Path, *extra: str) -> subprocess.Popen[str]:
    """A watchdog whose --parent is not its parent: orphaned from its first pass."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'target-stubs'}"}
    argv = [sys.executable, "-m", "chaos.watchdog", "--journal", str(run_dir), "--parent", "1"]
    return subprocess.Popen([*argv, *extra], cwd=ROOT, env=env, text=True)


def journal_command_fault(run_dir: Path, revert: list[str], fault_id: str = "f0") -> None:
    driver = Command({"inject": ["true"], "revert": revert, "attempts": 1, "timeout_s": 5})
    journal = Journal(run_dir)
    journal.append(Entry(fault_id, INJECTING, now(), "command", "ops", now() + 30, driver.spec()))
    journal.append(Entry(fault_id, INJECTED, now(), driver=driver.spec()))


def test_an_orphaned_watchdog_retries_a_failing_revert(tmp_path: Path) -> None:
    counter = tmp_path / "tries"
    journal_command_fault(tmp_path, [sys.executable, "-c", FLAKY_REVERT, str(counter), "3"])
    watchdog = orphan_watchdog(tmp_path)
    try:
        assert watchdog.wait(20) == 0
    finally:
        watchdog.kill()
    assert counter.read_text() == "3"
    events = [(e.event, e.by) for e in Journal(tmp_path).entries()][2:]
    assert events == [(REVERT_FAILED, "watchdog")] * 2 + [(REVERTED, "watchdog")]
    assert Journal(tmp_path).active() == []


def test_an_orphaned_watchdog_gives_up_after_its_cap(tmp_path: Path) -> None:
    journal_command_fault(tmp_path, ["false"])
    watchdog = orphan_watchdog(tmp_path, "--retry-for", "2")
    try:
        assert watchdog.wait(20) == 0
    finally:
        watchdog.kill()
    entries = Journal(tmp_path).entries()[2:]
    assert len(entries) >= 2 and all(e.event == REVERT_FAILED for e in entries)
    assert "gave up after retrying for 2 s" in entries[-1].error


def test_a_broken_journal_line_does_not_stop_the_watchdog(tmp_path: Path) -> None:
    done = tmp_path / "reverted"
    journal_command_fault(tmp_path, ["touch", str(done)], "f0")
    with Journal(tmp_path).path.open("a") as out:
        out.write('{"fault_id": "f9", "ev\n')  # a torn line mid-journal
    journal_command_fault(tmp_path, ["touch", str(done) + "-too"], "f1")
    watchdog = orphan_watchdog(tmp_path)
    try:
        assert watchdog.wait(20) == 0
    finally:
        watchdog.kill()
    assert done.exists() and Path(str(done) + "-too").exists()
    assert Journal(tmp_path).active() == []


def test_an_embedded_platform_that_outlives_its_conductor_is_ended_and_its_fault_void(
    tmp_path: Path,
) -> None:
    """A platform process that ignores the SIGTERM its conductor's death sent it: after the
    grace period the conductor's watchdog SIGKILLs it, then finds the fault void and exits."""
    stubborn = subprocess.Popen(["sh", "-c", "trap '' TERM; while :; do sleep 0.1; done"])
    try:
        owner = [[stubborn.pid, start_time(stubborn.pid) or 0]]
        spec = {"driver": "proxy-disable", "api": "http://127.0.0.1:9", "proxy": PROXY}
        journal = Journal(tmp_path)
        journal.append(Entry("f0", INJECTING, now(), "x", PROXY, now() + 30, spec, owner=owner))
        journal.append(Entry("f0", INJECTED, now(), driver=spec))
        orphaned = time.monotonic()
        watchdog = orphan_watchdog(tmp_path)
        try:
            assert watchdog.wait(PLATFORM_GRACE_S + SLACK_S) == 0
        finally:
            watchdog.kill()
        took = time.monotonic() - orphaned
        assert stubborn.wait(1) == -signal.SIGKILL
        assert PLATFORM_GRACE_S - 0.5 <= took <= PLATFORM_GRACE_S + SLACK_S, took
        last = Journal(tmp_path).latest()["f0"]
        assert (last.event, last.by) == (VOID, "watchdog"), last
    finally:
        stubborn.kill()
        stubborn.wait(5)
