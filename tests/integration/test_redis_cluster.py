"""The Redis cluster really fails over, and clients that go through Sentinel follow it."""

from __future__ import annotations

import time

import pytest
import redis
from livefire_stubs.redis_cluster import RedisCluster
from redis.sentinel import Sentinel

from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_cluster_starts_in_sync_and_stops_clean(cluster: RedisCluster) -> None:
    assert cluster.current_primary() == cluster.primary.addr
    assert cluster.replica.client().info("replication")["master_link_status"] == "up"
    info = cluster.info()
    assert len(info["sentinels"]) == 3 and info["nodes"]["primary"]["pid"] == cluster.primary.pid
    cluster.stop()
    assert not any(node.alive() for node in cluster.nodes.values())


def test_kill_primary_fails_over_and_writes_resume(cluster: RedisCluster) -> None:
    sentinel = Sentinel(cluster.sentinel_addrs, socket_timeout=0.5)
    client = sentinel.master_for(cluster.master_name, socket_timeout=0.5)
    client.set("before", "1")
    # WAIT's own timeout stays under the socket's, so a slow ack is retried, never a TimeoutError
    wait_for(lambda: client.wait(1, 200) >= 1, 10, "the replica to acknowledge the write")
    old = cluster.current_primary()
    assert old is not None

    killed_at = time.monotonic()
    cluster.kill("primary")
    new = cluster.wait_failover(old, timeout=10)
    assert new == cluster.replica.addr

    def write() -> bool:
        try:
            return bool(client.set("after", "2"))
        except redis.RedisError:
            return False

    # writable again within 10 s of the kill: the wait's bound is the promise
    wait_for(write, 10 - (time.monotonic() - killed_at), "a write through Sentinel")
    assert client.get("before") == b"1"
    client.close()


def test_restarted_primary_rejoins_as_replica(cluster: RedisCluster) -> None:
    old = cluster.current_primary()
    assert old is not None
    cluster.kill("primary")
    cluster.wait_failover(old, timeout=10)
    cluster.restart("primary")

    def replica_again() -> bool:
        try:
            return cluster.primary.client().info("replication")["role"] == "slave"
        except redis.RedisError:
            return False

    wait_for(replica_again, 20, "the old primary to become a replica", every=0.5)
