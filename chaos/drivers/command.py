"""Command driver: run the target's own inject and revert commands (kubectl, ssh, cloud CLIs).

Commands are argv lists executed directly — never through a shell — so a scenario value such
as `pod; rm -rf /` stays one literal argument. Each run is bounded by `timeout_s`; a failing
revert is retried `attempts` times. Each command runs in a session of its own, and a timeout
kills that whole process group: a wrapper (`sh -c 'ssh ... & wait'`, a CLI that forks) must
not leave its children running after livefire gave up on it. The commands see
LIVEFIRE_FAULT_ID and LIVEFIRE_TARGET in their environment. Without a revert command the
fault is one-way (e.g. deleting a pod that its controller recreates): its revert does nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from typing import Any

from chaos.model import DRIVERS
from livefire.base.errors import FaultError

RETRY_PAUSE_S = 0.5


def run(argv: list[str], timeout: float, env: dict[str, str]) -> None:
    """Run `argv` (no shell) within `timeout`; FaultError with its output's tail on failure."""
    try:
        child = subprocess.Popen(
            argv,
            shell=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
            start_new_session=True,  # its own process group, so a timeout can end all of it
        )
    except OSError as exc:
        raise FaultError(f"{argv[0]}: {exc.strerror or exc}") from None
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        raise FaultError(f"{argv[0]}: still running after {timeout:g} s (killed)") from None
    if child.returncode != 0:
        tail = " | ".join((stderr or stdout).strip().splitlines()[-3:])
        raise FaultError(
            f"{argv[0]} exited with code {child.returncode}{': ' + tail if tail else ''}"
        )


def _kill_group(child: subprocess.Popen[str]) -> None:
    """SIGKILL the command's whole process group, then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)  # start_new_session: its pgid is its pid
    child.kill()
    child.communicate()


class Command:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.inject_argv: list[str] = list(spec["inject"])
        self.revert_argv: list[str] = list(spec.get("revert") or [])
        self.timeout: float = float(spec.get("timeout_s", 30.0))
        self.attempts: int = int(spec.get("attempts", 3))
        self.env: dict[str, str] = dict(spec.get("env") or {})
        if not self.inject_argv or not all(isinstance(a, str) for a in self.inject_argv):
            raise FaultError("command: 'inject' must be a non-empty list of strings")

    def inject(self) -> None:
        run(self.inject_argv, self.timeout, self.env)

    def revert(self) -> None:
        if not self.revert_argv:
            return
        last: FaultError | None = None
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(RETRY_PAUSE_S)
            try:
                run(self.revert_argv, self.timeout, self.env)
                return
            except FaultError as exc:
                last = exc
        raise FaultError(f"revert failed after {self.attempts} attempts: {last}")

    def spec(self) -> dict[str, Any]:
        return {
            "driver": "command",
            "inject": self.inject_argv,
            "revert": self.revert_argv,
            "timeout_s": self.timeout,
            "attempts": self.attempts,
            "env": self.env,
        }


DRIVERS.add("command", Command)
