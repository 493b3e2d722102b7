"""A real Redis primary, replica and Sentinel on loopback, for the Redis driver tests."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import redis

from livefire.base.processes import free_port

START_TIMEOUT = 15.0


def wait_until(predicate, timeout: float = START_TIMEOUT) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except redis.RedisError:
            pass
        time.sleep(0.1)
    return False


def client(port: int) -> redis.Redis:
    return redis.Redis(port=port, socket_timeout=2, decode_responses=True)


@dataclass
class RedisCluster:
    dir: Path
    primary: int = field(default_factory=free_port)
    replica: int = field(default_factory=free_port)
    sentinel: int = field(default_factory=free_port)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def server_argv(self, port: int, *extra: str) -> list[str]:
        return [
            "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--repl-diskless-sync-delay", "0", "--dir", str(self.dir),
            "--dbfilename", f"{port}.rdb", *extra,
        ]  # fmt: skip

    def start(self, argv: list[str]) -> None:
        log = (self.dir / f"{len(self.procs)}.log").open("ab")
        self.procs.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT))
        log.close()

    def stop(self) -> None:
        for port in (self.primary, self.replica):  # copies a driver restarted (not our children)
            with suppress(redis.RedisError, KeyError):
                os.kill(int(client(port).info("server")["process_id"]), signal.SIGKILL)
        for proc in self.procs:
            proc.kill()
            proc.wait(5)


@contextmanager
def redis_cluster(tmp: Path, sentinel: bool = True) -> Iterator[RedisCluster]:
    tmp.mkdir(parents=True, exist_ok=True)
    cluster = RedisCluster(tmp)
    try:
        cluster.start(cluster.server_argv(cluster.primary))
        cluster.start(
            cluster.server_argv(cluster.replica, "--replicaof", "127.0.0.1", str(cluster.primary))
        )
        assert wait_until(lambda: client(cluster.replica).info("replication")[
            "master_link_status"] == "up"), "replica never synced"  # fmt: skip
        if sentinel:
            conf = tmp / "sentinel.conf"
            conf.write_text(
                f"port {cluster.sentinel}\nbind 127.0.0.1\ndir {tmp}\n"
                f"sentinel monitor mymaster 127.0.0.1 {cluster.primary} 1\n"
                "sentinel down-after-milliseconds mymaster 1000\n"
                "sentinel failover-timeout mymaster 10000\n"
            )
            cluster.start(["redis-sentinel", str(conf), "--port", str(cluster.sentinel)])
            assert wait_until(lambda: _sentinel_sees_replica(cluster)), "sentinel not ready"
        yield cluster
    finally:
        cluster.stop()


def _sentinel_sees_replica(cluster: RedisCluster) -> bool:
    replicas = client(cluster.sentinel).sentinel_slaves("mymaster")
    return any(
        int(r["port"]) == cluster.replica
        and r["master-link-status"] == "ok"
        and not (r["is_sdown"] or r["is_disconnected"])
        for r in replicas
    )


def master_port(sentinel: int) -> int:
    return int(client(sentinel).sentinel_get_master_addr_by_name("mymaster")[1])
