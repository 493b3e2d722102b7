"""A network namespace joined to this one by a veth pair, for the length of a `with` block:
"another machine" on this one. Created and removed by the test; nothing of it outlives it."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Namespace:
    name: str  # `ip netns exec NAME ...` runs a command inside it
    host_address: str  # this side of the veth pair (not loopback)
    inner_address: str  # the namespace's side

    def argv(self, *command: str, hostname: str | None = None) -> list[str]:
        """`command` inside the namespace; with `hostname`, in its own UTS namespace too, so
        whatever names itself by host (a Locust worker's client id) shows where it ran."""
        inner = list(command)
        if hostname is not None:
            inner = ["unshare", "--uts", "sh", "-c", f'hostname {hostname} && exec "$@"', "sh"]
            inner += list(command)
        return ["ip", "netns", "exec", self.name, *inner]


def unavailable() -> str | None:
    """Why a namespace cannot be made here (not root, no `ip`), or None."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None or shutil.which("unshare") is None:
        return "needs iproute2's ip and util-linux's unshare"
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@contextmanager
def namespace() -> Iterator[Namespace]:
    """A fresh namespace `livefire-<pid>` with loopback up and a /30 to this one."""
    tag = os.getpid() % 100_000
    name, outer, inner = f"livefire-{tag}", f"lfh{tag}", f"lfn{tag}"
    subnet = f"10.213.{tag % 250}"
    made = Namespace(name, f"{subnet}.1", f"{subnet}.2")
    _ip("netns", "add", name)
    try:
        _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
        _ip("link", "set", inner, "netns", name)
        _ip("addr", "add", f"{made.host_address}/30", "dev", outer)
        _ip("link", "set", outer, "up")
        _ip("netns", "exec", name, "ip", "addr", "add", f"{made.inner_address}/30", "dev", inner)
        _ip("netns", "exec", name, "ip", "link", "set", inner, "up")
        _ip("netns", "exec", name, "ip", "link", "set", "lo", "up")
        yield made
    finally:
        subprocess.run(["ip", "link", "del", outer], capture_output=True, timeout=10)
        _ip("netns", "del", name)


def exists(name: str) -> bool:
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=10)
    return any(line.split()[0] == name for line in listed.stdout.splitlines() if line.strip())
