"""Locust as livefire's engine: a master and N local worker processes, started and stopped
by the conductor. Remote workers join the same master with `livefire worker --master`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import loadgen
from livefire.base.errors import SetupError
from livefire.base.processes import Child, ProcessGroup, free_port
from loadgen.config import LoadConfig
from loadgen.kinds import USER_KINDS
from loadgen.user_plugins import class_name

LOCUSTFILE = str(Path(loadgen.__file__).with_name("locustfile.py"))


def master_argv(
    config: LoadConfig,
    expect_workers: int,
    bind: str,
    port: int,
    classes: list[str],
    web: tuple[str, int] | None = None,
) -> list[str]:
    """The Locust master for a run: the scenario's shape, CSV stats in the run dir; headless,
    or with `web` its web UI there (autostarted, quitting when the shape ends, its controls
    refused by loadgen.webui so the scenario keeps the shape and the stop)."""
    ui = ["--headless"]
    if web is not None:
        ui = ["--autostart", "--autoquit", "0", "--web-host", web[0], "--web-port", str(web[1])]
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        LOCUSTFILE,
        "--master",
        *ui,
        "--master-bind-host",
        bind,
        "--master-bind-port",
        str(port),
        "--expect-workers",
        str(expect_workers),
        "--expect-workers-max-wait",
        "60",
        "--csv",
        str(Path(config.run_dir) / "locust"),
        "--only-summary",
        "--livefire-config",
        config.to_json(),
        *classes,
    ]


def worker_argv(master_host: str, master_port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        LOCUSTFILE,
        "--worker",
        "--master-host",
        master_host,
        "--master-port",
        str(master_port),
    ]


def local_master_host(bind: str) -> str:
    """Where this machine's own workers reach a master bound to `bind`: the address itself,
    loopback only when the master listens on every address (a master bound to one
    non-loopback address does not answer on 127.0.0.1)."""
    if bind in ("", "0.0.0.0", "*"):
        return "127.0.0.1"
    if bind in ("::", "[::]"):
        return "::1"
    return bind.strip("[]")


class LoadRunner:
    def __init__(
        self,
        processes: ProcessGroup,
        config: LoadConfig,
        workers: int,
        bind: str = "127.0.0.1",
        port: int | None = None,
        remote: int = 0,
        web: str | None = None,
    ) -> None:
        self.remote = remote  # workers that join from elsewhere
        self.processes = processes
        self.config = config
        self.workers = workers
        self.bind = bind
        self.port = port or free_port()
        self.master: Child | None = None
        self.telemetry = Path(config.run_dir) / "telemetry"
        self.web: tuple[str, int] | None = None  # where Locust's web UI listens, if it does
        if web is not None:
            host, _, web_port = web.rpartition(":")
            self.web = (host, int(web_port) or free_port(host))

    @property
    def web_url(self) -> str:
        """Locust's web UI, or "" when headless."""
        if self.web is None:
            return ""
        host = f"[{self.web[0]}]" if ":" in self.web[0] else self.web[0]
        return f"http://{host}:{self.web[1]}"

    def start(self) -> None:
        classes = [
            USER_KINDS[k] if k in USER_KINDS else class_name(k)
            for k, n in self.config.users.items()
            if n
        ]
        if not classes:
            raise SetupError("the scenario starts no users this load generator knows")
        argv = master_argv(
            self.config, self.workers + self.remote, self.bind, self.port, classes, self.web
        )
        self.master = self.processes.spawn("locust-master", argv, ready=False)
        for index in range(self.workers):
            self.processes.spawn(
                f"locust-worker-{index + 1}",
                worker_argv(local_master_host(self.bind), self.port),
                ready=False,
            )

    def wait_started(self, timeout: float = 90.0) -> float:
        """Wall-clock time the load started (written by the master when the test starts)."""
        started = self.telemetry / "started.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if started.exists():
                return float(json.loads(started.read_text())["t"])
            if self.master is None or not self.master.alive():
                tail = self.master.log_tail() if self.master else ""
                raise SetupError(f"the Locust master exited before the test started:\n{tail}")
            time.sleep(0.1)
        raise SetupError(f"the load did not start within {timeout:g} s (workers not joining?)")

    def running(self) -> bool:
        return self.master is not None and self.master.alive()

    def wait_finished(self, timeout: float = 30.0) -> None:
        """Give the master time to collect final telemetry and exit, then stop everything."""
        if self.master is not None:
            deadline = time.monotonic() + timeout
            while self.master.alive() and time.monotonic() < deadline:
                time.sleep(0.1)
        self.stop()

    def stop(self) -> None:
        for child in [c for c in self.processes.children if c.name.startswith("locust-")]:
            self.processes.stop(child)
