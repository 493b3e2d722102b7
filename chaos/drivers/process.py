"""Process driver: kill (SIGKILL/SIGTERM) or pause (SIGSTOP) a target's processes.

Pids are resolved when the driver is built, just before injection — from the target's pid
file (plain, or a component's JSON ready file, rewritten by every restart), its command line
looked up in /proc, a command that prints them, or else the pids it was described with — and
journaled with each process's start time, so a revert in
another process never signals a stranger that reused the pid. Revert: SIGCONT for a pause;
for a kill, start the restart command again (when the target has one and no process with
exactly that command line is running, so reverting twice never starts two copies; a leading
`env VAR=VAL ...` is not part of the command line the restarted process ends up with, so it
is left out of that comparison).
A kill without a restart command is self-healing: its revert has nothing to do.
Fallback (a pause whose SIGCONT fails): SIGKILL, then restart.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from chaos.model import DRIVERS, TargetRef
from livefire.base.errors import FaultError
from livefire.base.processes import spawn_detached

SIGNALS = {"KILL": signal.SIGKILL, "TERM": signal.SIGTERM, "STOP": signal.SIGSTOP}
PID_COMMAND_TIMEOUT_S = 10.0
RESTART_SETTLE_S = 0.3  # a restart that exits within this is reported as failed


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks (/proc/PID/stat), None if gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else int(fields[19])


def resolve_pids(target: TargetRef) -> list[int]:
    """The target's pids now: from its pid file, its command line, its pid command; else the
    pids it was described with (which a restart makes stale)."""
    if target.pid_file:
        return [_read_pid(target)]
    if target.cmdline:
        return running(list(target.cmdline))
    if target.pid_command:
        return _pid_command(target)
    return list(target.pids)


def _read_pid(target: TargetRef) -> int:
    """A pid file holds `1234`; a component's ready file holds `{"pid": 1234, ...}`."""
    assert target.pid_file
    try:
        text = Path(target.pid_file).read_text().strip()
        return int(json.loads(text)["pid"]) if text.startswith("{") else int(text.split()[0])
    except (OSError, ValueError, IndexError, KeyError, TypeError) as exc:
        raise FaultError(f"target '{target.name}': pid file {target.pid_file}: {exc}") from None


def _pid_command(target: TargetRef) -> list[int]:
    try:
        done = subprocess.run(
            list(target.pid_command),
            capture_output=True,
            text=True,
            timeout=PID_COMMAND_TIMEOUT_S,
            check=True,
        )
        return [int(word) for word in done.stdout.split()]
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        raise FaultError(f"target '{target.name}': pid command failed: {exc}") from None


def effective_argv(argv: list[str]) -> list[str]:
    """The command line `argv` leaves behind once started: `env A=1 B=2 prog x` runs `prog x`
    (env execs it), and that is what /proc/PID/cmdline shows."""
    words = list(argv)
    if words and os.path.basename(words[0]) == "env":
        words.pop(0)
        while words and "=" in words[0] and not words[0].startswith("-"):
            words.pop(0)
    return words


def running(argv: list[str]) -> list[int]:
    """Live pids whose command line is exactly `argv` (after `effective_argv`)."""
    wanted = "\0".join(effective_argv(argv)).encode() + b"\0"
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cmdline").read_bytes() == wanted and start_time(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def restart(argv: list[str], log_path: str | None = None) -> None:
    """Start `argv` detached (it outlives whoever reverted: the watchdog exits); fail if it
    exits within RESTART_SETTLE_S."""
    try:
        child = spawn_detached(argv, Path(log_path) if log_path else None)
    except OSError as exc:
        raise FaultError(f"restart {argv[0]}: {exc.strerror or exc}") from None
    try:
        code = child.wait(RESTART_SETTLE_S)
    except subprocess.TimeoutExpired:
        return
    raise FaultError(f"restart {argv[0]} exited at once with code {code}")


class ProcessSignal:
    """Signal a target's processes; see the module docstring for what revert does."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.signal: str = spec["signal"]
        self.procs: list[tuple[int, int]] = [(int(p), int(t)) for p, t in spec["procs"]]
        self.restart_argv: list[str] = list(spec.get("restart_argv") or [])
        self.restart_log: str | None = spec.get("restart_log")

    @classmethod
    def for_target(
        cls, target: TargetRef, sig: str, restart: bool = True, log: str | None = None
    ) -> ProcessSignal:
        procs = [(pid, start) for pid in resolve_pids(target) if (start := start_time(pid))]
        if not procs:
            raise FaultError(f"target '{target.name}': no running process to signal")
        argv = list(target.restart_argv) if restart else []
        return cls({"signal": sig, "procs": procs, "restart_argv": argv, "restart_log": log})

    def alive(self) -> list[int]:
        """Pids of our processes still running (same pid, same start time)."""
        return [pid for pid, start in self.procs if start_time(pid) == start]

    def _send(self, sig: signal.Signals) -> None:
        for pid in self.alive():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                continue
            except PermissionError as exc:
                raise FaultError(f"signal {sig.name} to pid {pid}: {exc}") from None

    def inject(self) -> None:
        if not self.alive():
            raise FaultError(f"pids {[p for p, _ in self.procs]} are no longer running")
        self._send(SIGNALS[self.signal])

    def revert(self) -> None:
        if self.signal == "STOP":
            self._send(signal.SIGCONT)
        elif self.restart_argv and not self.alive() and not running(self.restart_argv):
            self._restart()

    def fallback(self) -> None:
        self._send(signal.SIGKILL)
        if not self.restart_argv:
            raise FaultError("no restart command to fall back on")
        deadline = time.monotonic() + 5.0
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        self._restart()

    def _restart(self) -> None:
        restart(self.restart_argv, self.restart_log)

    def spec(self) -> dict[str, Any]:
        return {
            "driver": "process",
            "signal": self.signal,
            "procs": [list(proc) for proc in self.procs],
            "restart_argv": self.restart_argv,
            "restart_log": self.restart_log,
        }


DRIVERS.add("process", ProcessSignal)
