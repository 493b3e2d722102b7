"""Command driver: run the target's own inject and revert commands (kubectl, ssh, cloud CLIs).

Commands are argv lists executed directly — never through a shell — so a scenario value such
as `pod; rm -rf /` stays one literal argument. Each run is bounded by `timeout_s`; a failing
revert is retried `attempts` times. The commands see LIVEFIRE_FAULT_ID and LIVEFIRE_TARGET in
their environment. Without a revert command the fault is one-way (e.g. deleting a pod that
its controller recreates), so its revert does nothing.
"""

from __future__ import annotations

import os
import subprocess
import time
from typing import Any

from chaos.model import DRIVERS
from livefire.errors import FaultError

RETRY_PAUSE_S = 0.5


def run(argv: list[str], timeout: float, env: dict[str, str]) -> None:
    """Run `argv` (no shell) within `timeout`; FaultError with its output's tail on failure."""
    try:
        done = subprocess.run(
            argv,
            shell=False,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **env},
        )
    except subprocess.TimeoutExpired:
        raise FaultError(f"{argv[0]}: still running after {timeout:g} s (killed)") from None
    except OSError as exc:
        raise FaultError(f"{argv[0]}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise FaultError(f"{argv[0]} exited with code {done.returncode}: {' | '.join(tail)}")


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
