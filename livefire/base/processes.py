"""Child processes that never outlive livefire.

Each child runs in its own session (a Ctrl-C reaches only the conductor, which then stops
children in order), gets SIGTERM from the kernel if its parent dies (PR_SET_PDEATHSIG, so even
a kill -9 of livefire leaves nothing behind), logs to a file of its own, and announces
readiness through a ready file.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livefire.base.errors import SetupError

_PR_SET_PDEATHSIG = 1
MARKER = "LIVEFIRE_RUN_DIR"  # set in every child's environment: how tests find stragglers


_LIBC = ctypes.CDLL("libc.so.6", use_errno=True)  # loaded here: never dlopen after a fork


def set_pdeathsig() -> None:  # runs in the child between fork and exec
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    ready: dict[str, Any] = field(default_factory=dict)
    argv: list[str] = field(default_factory=list)  # as started, --ready-file included

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def spawn_detached(
    argv: list[str],
    log: Path | None,
    env: dict[str, str] | None = None,
    *,
    die_with_parent: bool = False,
) -> subprocess.Popen[bytes]:
    """Start `argv` in a session of its own (a Ctrl-C to livefire never reaches it), stdin
    closed, stdout and stderr appended to `log` (discarded when None), with exactly `env`
    (None: livefire's own). With `die_with_parent` the kernel sends it SIGTERM when its starter
    dies; without, it outlives its starter, as a watchdog or a restarted target must. Raises
    OSError when `argv` cannot be started: the caller says what it was for."""
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") if log is not None else open(os.devnull, "wb") as out:
        return subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
            preexec_fn=set_pdeathsig if die_with_parent else None,
        )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on `host` right now, for a server that cannot bind port 0 and say which
    port it got (Redis, a Locust master). Another process may take it before it is used."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def stragglers(run_dir: Path) -> list[int]:
    """Pids of live processes started for `run_dir` (found by the marker in their environment)."""
    wanted = f"{MARKER}={run_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if wanted in environ and state != "Z":
            found.append(int(entry.name))
    return found


class ProcessGroup:
    """Starts children and stops all of them, newest first, on `stop_all()`."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.logs = run_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.children: list[Child] = []

    def spawn(
        self,
        name: str,
        argv: list[str],
        *,
        ready: bool = True,
        timeout: float = 30.0,
        env: dict[str, str] | None = None,
        die_with_parent: bool = True,
    ) -> Child:
        """Start `argv` (with `--ready-file` appended when `ready`) and wait until it is ready."""
        child = self.launch(name, argv, ready=ready, env=env, die_with_parent=die_with_parent)
        if ready:
            self.wait_ready(child, timeout)
        return child

    def ready_file(self, name: str) -> Path:
        return self.run_dir / "ready" / f"{name}.json"

    def launch(
        self,
        name: str,
        argv: list[str],
        *,
        ready: bool = True,
        env: dict[str, str] | None = None,
        die_with_parent: bool = True,
    ) -> Child:
        """Start `argv` without waiting: launch several, then `wait_ready` each, so they
        start in parallel."""
        ready_file = self.ready_file(name)
        ready_file.parent.mkdir(exist_ok=True)
        ready_file.unlink(missing_ok=True)
        full = [*argv, "--ready-file", str(ready_file)] if ready else argv
        log = self.logs / f"{name}.log"
        popen = spawn_detached(
            full,
            log,
            {**os.environ, MARKER: str(self.run_dir), **(env or {})},
            die_with_parent=die_with_parent,
        )
        child = Child(name, popen, log, argv=full)
        self.children.append(child)
        return child

    def wait_ready(self, child: Child, timeout: float = 30.0) -> dict[str, Any]:
        """Until `child` wrote its ready file (returned, and kept as `child.ready`)."""
        child.ready = self._wait_ready(child, self.ready_file(child.name), timeout)
        return child.ready

    def _wait_ready(self, child: Child, ready_file: Path, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                return dict(json.loads(ready_file.read_text()))
            except (FileNotFoundError, json.JSONDecodeError):
                pass  # not written yet, or a writer that is not atomic is mid-write
            if not child.alive():
                raise SetupError(
                    f"{child.name} exited with code {child.popen.returncode} before it was ready; "
                    f"its log ({child.log}) ends:\n{child.log_tail()}"
                )
            time.sleep(0.05)
        raise SetupError(f"{child.name} was not ready within {timeout:g} s; see {child.log}")

    def stop(self, child: Child, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL if it has not exited within `timeout`."""
        if child.alive():
            try:
                child.popen.send_signal(signal.SIGTERM)
                child.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                child.popen.kill()
                child.popen.wait(timeout)
            except ProcessLookupError:
                pass
        if child in self.children:
            self.children.remove(child)

    def stop_all(self, timeout: float = 5.0) -> None:
        for child in reversed(list(self.children)):
            self.stop(child, timeout)
