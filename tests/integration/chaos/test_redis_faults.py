"""Redis faults against a real primary, replica and Sentinel; roles are read back with ROLE,
INFO replication and Sentinel's get-master-addr-by-name."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis
import requests
from redis.backoff import NoBackoff
from redis.retry import Retry

from chaos.catalog import FAULTS
from chaos.journal import Journal
from chaos.model import TargetRef
from chaos.proxy import ProxyServerThread
from chaos.safety import FaultSession
from livefire.base.errors import FaultError
from tests.integration.chaos.redis_cluster import (
    RedisCluster,
    client,
    master_port,
    redis_cluster,
    wait_until,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[RedisCluster]:
    with redis_cluster(tmp_path / "redis") as running:
        yield running


def target(cluster: RedisCluster, restart: bool = False) -> TargetRef:
    return TargetRef(
        "redis",
        redis_url=f"redis://127.0.0.1:{cluster.primary}",
        redis_replica_url=f"redis://127.0.0.1:{cluster.replica}",
        sentinels=(f"127.0.0.1:{cluster.sentinel}",),
        restart_argv=tuple(cluster.server_argv(cluster.primary)) if restart else (),
    )


def answers(port: int) -> bool:
    try:
        return bool(client(port).ping())
    except redis.RedisError:
        return False


def test_sentinel_failover_moves_the_primary(cluster: RedisCluster, tmp_path: Path) -> None:
    assert master_port(cluster.sentinel) == cluster.primary
    driver = FAULTS.get("redis-failover").create(target(cluster), {}, "f1")
    FaultSession(Journal(tmp_path)).inject("f1", "redis-failover", "redis", driver, ttl=30)
    assert wait_until(lambda: master_port(cluster.sentinel) == cluster.replica, timeout=20)
    assert wait_until(lambda: client(cluster.replica).execute_command("ROLE")[0] == "master")


@pytest.mark.parametrize("method", ["shutdown", "sigkill"])
def test_primary_kill_then_restart(cluster: RedisCluster, tmp_path: Path, method: str) -> None:
    driver = FAULTS.get("redis-primary-kill").create(
        target(cluster, restart=True), {"method": method}, "f1"
    )
    session = FaultSession(Journal(tmp_path))
    session.inject("f1", "redis-primary-kill", "redis", driver, ttl=30)
    assert wait_until(lambda: not answers(cluster.primary), timeout=5)
    assert session.revert_all() == []
    assert wait_until(lambda: answers(cluster.primary), timeout=5)


def test_primary_kill_finds_the_primary_through_sentinel(cluster: RedisCluster) -> None:
    """The target's URL is stale (the replica's); Sentinel's word wins."""
    stale = TargetRef("redis", redis_url=f"redis://127.0.0.1:{cluster.replica}",
                      sentinels=(f"127.0.0.1:{cluster.sentinel}",))  # fmt: skip
    driver = FAULTS.get("redis-primary-kill").create(stale, {}, "f1")
    assert driver.spec()["address"] == f"127.0.0.1:{cluster.primary}"


def test_replica_cut_holds_under_sentinel_then_heals(cluster: RedisCluster, tmp_path: Path) -> None:
    replica = client(cluster.replica)
    driver = FAULTS.get("redis-replica-cut").create(target(cluster), {}, "f1")
    session = FaultSession(Journal(tmp_path))
    session.inject("f1", "redis-replica-cut", "redis", driver, ttl=30)
    client(cluster.primary).set("written-during-cut", "1")
    # Sentinel's reconfiguration runs within its failover timeout: the cut must outlast it
    # (REPLICAOF NO ONE did not: Sentinel made the replica a replica again in ~8 s).
    deadline = time.monotonic() + 12
    while time.monotonic() < deadline:
        role = replica.execute_command("ROLE")
        assert (role[0], int(role[2])) == ("slave", cluster.primary)  # a replica, of it
        assert replica.info("replication")["master_link_status"] == "down"
        assert replica.get("written-during-cut") is None  # stale reads, still served
        time.sleep(0.5)
    assert master_port(cluster.sentinel) == cluster.primary  # no failover either
    assert session.revert_all() == []
    assert wait_until(lambda: replica.info("replication")["master_link_status"] == "up")
    assert wait_until(lambda: replica.get("written-during-cut") == "1")


def test_replica_cut_refuses_a_primary(cluster: RedisCluster) -> None:
    ref = replace(target(cluster), redis_replica_url=f"redis://127.0.0.1:{cluster.primary}")
    with pytest.raises(FaultError, match="is not a replica"):
        FAULTS.get("redis-replica-cut").create(ref, {}, "f1")


def test_database_partition_through_the_primary_proxy(tmp_path: Path) -> None:
    """Services reach the primary through a fault proxy; the partition silences it."""
    with redis_cluster(tmp_path / "redis", sentinel=False) as cluster, ProxyServerThread() as api:
        body = {"name": "redis-primary", "listen": "127.0.0.1:0",
                "upstream": f"127.0.0.1:{cluster.primary}"}  # fmt: skip
        listen = requests.post(f"{api.url}/proxies", json=body, timeout=5).json()["listen"]
        port = int(listen.rsplit(":", 1)[1])
        assert client(port).ping()
        ref = TargetRef("redis-primary", api.url, "redis-primary")
        driver = FAULTS.get("database-partition").create(ref, {}, "f1")
        session = FaultSession(Journal(tmp_path))
        session.inject("f1", "database-partition", "redis-primary", driver, ttl=30)
        once = redis.Redis(port=port, socket_timeout=0.5, retry=Retry(NoBackoff(), 0))
        with pytest.raises(redis.TimeoutError):
            once.ping()
        assert client(cluster.primary).ping()  # the primary itself is fine: only cut off
        assert session.revert_all() == []
        assert client(port).ping()
