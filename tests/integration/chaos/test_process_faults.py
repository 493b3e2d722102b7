"""Process faults against real processes; liveness is read from /proc, not from livefire."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chaos.catalog import FAULTS
from chaos.drivers.process import ProcessSignal, running, start_time
from chaos.journal import Journal
from chaos.model import TargetRef
from chaos.safety import FaultSession
from livefire.base.errors import FaultError

pytestmark = pytest.mark.integration

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def wait_for(predicate, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    child = subprocess.Popen(SLEEPER)
    yield child
    child.kill()
    child.wait(5)


@pytest.fixture
def restarted(tmp_path: Path) -> Iterator[list[str]]:
    """A unique restart command line; every process running it is killed afterwards."""
    argv = [sys.executable, "-c", "import time; time.sleep(60)", str(tmp_path)]
    yield argv
    for pid in running(argv):
        os.kill(pid, signal.SIGKILL)


def test_pause_stops_then_continues(sleeper: subprocess.Popen[bytes], tmp_path: Path) -> None:
    target = TargetRef("chat-1", pids=(sleeper.pid,))
    driver = FAULTS.get("process-pause").create(target, {}, "f1")
    session = FaultSession(Journal(tmp_path))
    session.inject("f1", "process-pause", "chat-1", driver, ttl=30)
    assert wait_for(lambda: state(sleeper.pid) == "T")
    session.revert_all()  # rebuilt from the journal, as the watchdog would
    assert wait_for(lambda: state(sleeper.pid) in ("S", "R"))


def test_kill_then_restart_once(
    sleeper: subprocess.Popen[bytes], restarted: list[str], tmp_path: Path
) -> None:
    target = TargetRef("transcoder-1", pids=(sleeper.pid,), restart_argv=tuple(restarted))
    driver = FAULTS.get("transcoder-node-kill").create(target, {}, "f1")
    driver.inject()
    assert sleeper.wait(5) == -signal.SIGKILL
    assert running(restarted) == []
    driver.revert()
    assert len(running(restarted)) == 1
    driver.revert()  # idempotent: the restarted copy is running, no second one
    rebuilt = ProcessSignal(driver.spec())
    rebuilt.revert()
    assert len(running(restarted)) == 1


def test_kill_without_restart_is_self_healing(sleeper: subprocess.Popen[bytes]) -> None:
    assert FAULTS.get("process-kill").self_healing  # recovery is timed from the kill
    driver = FAULTS.get("process-kill").create(
        TargetRef("x", pids=(sleeper.pid,)), {"signal": "TERM"}, "f1"
    )
    driver.inject()
    assert sleeper.wait(5) == -signal.SIGTERM
    driver.revert()  # nothing to do, nothing raised


def test_pids_from_pid_file_and_command(sleeper: subprocess.Popen[bytes], tmp_path: Path) -> None:
    pid_file = tmp_path / "chat.pid"
    pid_file.write_text(f"{sleeper.pid}\n")
    by_file = ProcessSignal.for_target(TargetRef("c", pid_file=str(pid_file)), "STOP")
    by_command = ProcessSignal.for_target(
        TargetRef("c", pid_command=("cat", str(pid_file))), "STOP"
    )
    assert by_file.procs == by_command.procs == [(sleeper.pid, start_time(sleeper.pid))]


def test_a_recycled_pid_is_never_signalled(sleeper: subprocess.Popen[bytes]) -> None:
    """The journaled start time no longer matches: the pid belongs to someone else now."""
    start = start_time(sleeper.pid)
    assert start is not None
    driver = ProcessSignal({"signal": "STOP", "procs": [[sleeper.pid, start + 1]]})
    with pytest.raises(FaultError, match="no longer running"):
        driver.inject()
    assert state(sleeper.pid) in ("S", "R")


def test_pause_fallback_kills_and_restarts(
    sleeper: subprocess.Popen[bytes], restarted: list[str]
) -> None:
    target = TargetRef("x", pids=(sleeper.pid,), restart_argv=tuple(restarted))
    driver = FAULTS.get("process-pause").create(target, {}, "f1")
    driver.inject()
    driver.fallback()  # type: ignore[attr-defined]
    assert sleeper.wait(5) == -signal.SIGKILL
    assert len(running(restarted)) == 1


def test_restart_that_dies_at_once_is_reported(sleeper: subprocess.Popen[bytes]) -> None:
    argv = (sys.executable, "-c", "raise SystemExit(3)")
    driver = ProcessSignal.for_target(
        TargetRef("x", pids=(sleeper.pid,), restart_argv=argv), "KILL"
    )
    driver.inject()
    sleeper.wait(5)
    with pytest.raises(FaultError, match="code 3"):
        driver.revert()


def test_a_restart_behind_env_assignments_is_not_started_twice(
    sleeper: subprocess.Popen[bytes], restarted: list[str]
) -> None:
    """Embedded components restart as `env PYTHONPATH=... LIVEFIRE_RUN_DIR=... python ...`."""
    argv = ("env", "LIVEFIRE_TEST_MARK=1", "A=b=c", *restarted)
    target = TargetRef("chat-1", pids=(sleeper.pid,), restart_argv=argv)
    driver = FAULTS.get("chat-node-kill").create(target, {}, "f1")
    driver.inject()
    sleeper.wait(5)
    driver.revert()
    assert len(running(restarted)) == 1
    driver.revert()  # the watchdog racing the scheduled revert
    ProcessSignal(driver.spec()).revert()
    assert len(running(restarted)) == 1
    assert running(list(argv)) == running(restarted)
