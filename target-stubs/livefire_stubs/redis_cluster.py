"""A real Redis primary, one replica and three Sentinels on loopback, for the platform's state.

Services never hold the primary's address: they ask the Sentinels (master name `livefire`), so
killing the primary (`cluster.kill("primary")`) makes the Sentinels elect the replica within a
few seconds, and clients find it. Each process gets its own directory, config and log under
`run_dir`. Usage::

    with RedisCluster(run_dir) as cluster:       # start() waits until sync and quorum
        cluster.sentinel_addrs                   # [("127.0.0.1", 26xxx), ...]
        cluster.kill("primary")                  # chaos; cluster.current_primary() moves
        cluster.freeze("replica"); cluster.thaw("replica")   # a partition, then its end
        cluster.restart("primary")               # comes back as a replica of the new primary

The names `primary` and `replica` are the roles at start; after a failover they stay attached
to the same processes, whatever role those now play.

`RedisCluster(run_dir, proxied=True)` puts a fault proxy in front of each server: every
server gets a second port (`announce_port`, where its proxy listens) that it announces
(`replica-announce-ip/port`) and that the Sentinels monitor, so Sentinel hands clients the
proxied addresses, also after a failover, and replication runs through them too (a separate
replication-link port would not last: Sentinel rewrites a replica's master address to the one
it monitors, `+fix-slave-config`). `proxy_specs()` says which proxies to create; create them
before `launch_sentinels()` (or `start()`), since a Sentinel that cannot reach the primary for
`down_after_ms` starts a failover.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from livefire.base.processes import MARKER, free_port, spawn_detached

__all__ = ["ClusterError", "RedisCluster", "RedisNode"]

HOST = "127.0.0.1"


class ClusterError(RuntimeError):
    """The cluster did not come up (or answer) in time; the message names the process and log."""


@dataclass
class RedisNode:
    """One redis-server process: `name` is primary, replica or sentinel-N."""

    name: str
    port: int
    dir: Path
    sentinel: bool = False
    announce_port: int | None = None  # where its fault proxy listens, if it has one
    myid: str = field(default_factory=lambda: os.urandom(20).hex())
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def addr(self) -> tuple[str, int]:
        """Where everyone else reaches it (its proxy, if any): what Sentinel names."""
        return (HOST, self.announce_port or self.port)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def config(self) -> Path:
        return self.dir / ("sentinel.conf" if self.sentinel else "redis.conf")

    @property
    def log(self) -> Path:
        return self.dir / "redis.log"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def client(self, timeout: float = 1.0) -> redis.Redis:
        """A client of the server itself, bypassing its proxy."""
        return redis.Redis(HOST, self.port, socket_timeout=timeout, decode_responses=True)


class RedisCluster:
    """Starts, watches and stops the primary, replica and Sentinels of one run."""

    def __init__(
        self,
        run_dir: Path | str,
        master_name: str = "livefire",
        down_after_ms: int = 1500,
        failover_timeout_ms: int = 3000,
        sentinels: int = 3,
        redis_server: str | None = None,
        proxied: bool = False,
    ) -> None:
        self.run_dir = Path(run_dir)
        self.master_name = master_name
        self.down_after_ms = down_after_ms
        self.failover_timeout_ms = failover_timeout_ms
        self.redis_server = redis_server or shutil.which("redis-server") or "redis-server"
        self.nodes: dict[str, RedisNode] = {}
        for name in ["primary", "replica", *[f"sentinel-{i}" for i in range(sentinels)]]:
            node_dir = self.run_dir / "redis" / name
            sentinel = name.startswith("sentinel")
            announce = free_port() if proxied and not sentinel else None
            self.nodes[name] = RedisNode(name, free_port(), node_dir, sentinel, announce)

    # -- addresses -------------------------------------------------------------------------

    @property
    def primary(self) -> RedisNode:
        return self.nodes["primary"]

    @property
    def replica(self) -> RedisNode:
        return self.nodes["replica"]

    @property
    def sentinels(self) -> list[RedisNode]:
        return [n for n in self.nodes.values() if n.sentinel]

    @property
    def sentinel_addrs(self) -> list[tuple[str, int]]:
        return [n.addr for n in self.sentinels]

    def sentinel_arg(self) -> str:
        """The `--sentinel` flag value every platform component takes: `host:port,host:port`."""
        return ",".join(f"{h}:{p}" for h, p in self.sentinel_addrs)

    @property
    def servers(self) -> list[RedisNode]:
        return [n for n in self.nodes.values() if not n.sentinel]

    def proxy_specs(self) -> list[dict[str, Any]]:
        """The fault proxies `proxied=True` needs, in Toxiproxy's config format: one per
        server, named `redis-primary` and `redis-replica` (their roles at start)."""
        return [
            {
                "name": f"redis-{n.name}",
                "listen": f"{HOST}:{n.announce_port}",
                "upstream": f"{HOST}:{n.port}",
                "enabled": True,
            }
            for n in self.servers
            if n.announce_port
        ]

    def info(self) -> dict[str, Any]:
        """JSON-ready description, for ready files and `livefire stubs status --json`:
        `addr` is where clients reach a node (its proxy), `direct` the server itself."""
        return {
            "master_name": self.master_name,
            "sentinels": [f"{h}:{p}" for h, p in self.sentinel_addrs],
            "nodes": {
                n.name: {
                    "addr": f"{HOST}:{n.addr[1]}",
                    "direct": f"{HOST}:{n.port}",
                    "pid": n.pid,
                    "log": str(n.log),
                }
                for n in self.nodes.values()
            },
        }

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, timeout: float = 20.0) -> RedisCluster:
        """Start every process, then wait for replica sync and Sentinel agreement."""
        try:
            self.launch()
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def launch(self) -> None:
        """Start every process without waiting (call `wait_ready` next), so a launcher can
        start other components meanwhile; `stop()` if anything fails."""
        self.launch_servers()
        self.launch_sentinels()

    def launch_servers(self) -> None:
        """Start the primary and the replica only (their proxies may come up meanwhile)."""
        for node in self.servers:
            self._write_config(node)
            self._spawn(node)

    def launch_sentinels(self) -> None:
        for node in self.sentinels:
            self._write_config(node)
            self._spawn(node)

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM every process (SIGCONT first, in case chaos froze it), SIGKILL laggards."""
        live = [n for n in self.nodes.values() if n.alive()]
        for node in live:
            assert node.process is not None
            with contextlib.suppress(ProcessLookupError):
                node.process.send_signal(signal.SIGCONT)
                node.process.terminate()
        deadline = time.monotonic() + timeout
        for node in live:
            assert node.process is not None
            try:
                node.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                node.process.kill()
                node.process.wait(5)

    def __enter__(self) -> RedisCluster:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to one process (SIGKILL a primary; SIGSTOP/SIGCONT to freeze/thaw it)."""
        node = self.nodes[name]
        if node.process is None:
            raise ClusterError(f"{name} was never started")
        with contextlib.suppress(ProcessLookupError):
            node.process.send_signal(sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            node.process.wait(5)

    def freeze(self, name: str) -> None:
        """Partition a process the way a network does: it stops answering, sockets stay open.
        Sentinel fails a frozen primary over after `down_after_ms`; thaw it to end the fault."""
        self.kill(name, signal.SIGSTOP)

    def thaw(self, name: str) -> None:
        self.kill(name, signal.SIGCONT)

    def restart_argv(self, name: str) -> list[str]:
        """The command that starts `name` again from its config (for chaos restarts)."""
        node = self.nodes[name]
        return [self.redis_server, str(node.config)] + (["--sentinel"] if node.sentinel else [])

    def restart(self, name: str) -> None:
        """Start a dead process again from its (Sentinel-rewritten) config."""
        node = self.nodes[name]
        if node.alive():
            raise ClusterError(f"{name} is still running (pid {node.pid})")
        self._spawn(node)

    # -- waiting ---------------------------------------------------------------------------

    def current_primary(self) -> tuple[str, int] | None:
        """The primary most Sentinels name right now, or None if they do not agree yet."""
        votes: dict[tuple[str, int], int] = {}
        for node in self.sentinels:
            try:
                with node.client() as client:
                    reply: Any = client.sentinel_get_master_addr_by_name(self.master_name)
                host, port = reply
            except (redis.RedisError, TypeError):
                continue
            addr = (str(host), int(port))
            votes[addr] = votes.get(addr, 0) + 1
        best = max(votes.items(), key=lambda kv: kv[1], default=None)
        return best[0] if best and best[1] > len(self.sentinels) // 2 else None

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Until the replica is in sync and every Sentinel knows the primary, replica, peers."""
        deadline = time.monotonic() + timeout
        problem = "not checked yet"
        while time.monotonic() < deadline:
            for node in self.nodes.values():
                if not node.alive():
                    raise ClusterError(f"{node.name} exited early; see {node.log}")
            problem = self._readiness_problem()
            if not problem:
                return
            time.sleep(0.2)
        raise ClusterError(f"Redis cluster not ready after {timeout:.0f}s: {problem}")

    def wait_failover(self, old: tuple[str, int], timeout: float = 15.0) -> tuple[str, int]:
        """Until the Sentinels agree on a primary other than `old`; returns it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = self.current_primary()
            if now and now != old:
                return now
            time.sleep(0.1)
        raise ClusterError(f"no failover away from {old} within {timeout:.0f}s")

    def _readiness_problem(self) -> str:
        try:
            with self.replica.client() as client:
                repl: Any = client.info("replication")
            if repl.get("master_link_status") != "up":
                return "replica not in sync with primary"
            for node in self.sentinels:
                with node.client() as client:
                    state: Any = client.sentinel_master(self.master_name)
                if state.get("port") != self.primary.addr[1]:
                    return f"{node.name} names another primary"
                if state.get("num-slaves", 0) < 1:
                    return f"{node.name} has not found the replica"
                if state.get("num-other-sentinels", 0) < len(self.sentinels) - 1:
                    return f"{node.name} has not found its peer Sentinels"
        except redis.RedisError as exc:
            return f"not answering: {exc}"
        return ""

    # -- processes -------------------------------------------------------------------------

    def _write_config(self, node: RedisNode) -> None:
        node.dir.mkdir(parents=True, exist_ok=True)
        lines = [f"port {node.port}", f"bind {HOST}", f"dir {node.dir}", f"logfile {node.log}"]
        lines += ["protected-mode no", "daemonize no"]
        lines.append("set-proc-title no")  # keeps /proc/PID/environ, where the marker is
        if node.sentinel:
            name, p = self.master_name, self.primary.addr[1]
            lines += [
                f"sentinel monitor {name} {HOST} {p} {len(self.sentinels) // 2 + 1}",
                f"sentinel down-after-milliseconds {name} {self.down_after_ms}",
                f"sentinel failover-timeout {name} {self.failover_timeout_ms}",
                f"sentinel parallel-syncs {name} 1",
                f"sentinel myid {node.myid}",
                # Known peers and replica up front: discovery alone takes ~10 s of INFO/hello.
                f"sentinel known-replica {name} {HOST} {self.replica.addr[1]}",
            ]
            lines += [
                f"sentinel known-sentinel {name} {HOST} {peer.port} {peer.myid}"
                for peer in self.sentinels
                if peer is not node
            ]
        else:
            lines += ['save ""', "appendonly no", "repl-diskless-sync yes"]
            lines += ["repl-diskless-sync-delay 0", "replica-serve-stale-data yes"]
            if node.announce_port:
                lines += [f"replica-announce-ip {HOST}", f"replica-announce-port {node.addr[1]}"]
            if node.name == "replica":
                lines.append(f"replicaof {HOST} {self.primary.addr[1]}")
        node.config.write_text("\n".join(lines) + "\n")

    def _spawn(self, node: RedisNode) -> None:
        argv = self.restart_argv(node.name)
        node.process = spawn_detached(
            argv,
            node.dir / "stdout.log",
            os.environ | {MARKER: str(self.run_dir)},  # how stragglers are found
            die_with_parent=True,  # never outlives its starter, even after a kill -9
        )
