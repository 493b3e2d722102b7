"""The database partition for real: the platform's Redis primary is cut off at its fault
proxy (`redis-primary`), which clients, Sentinels and the replica all go through. Checked from
outside: the proxy API, a plain client through the proxy, reads through the replica, the
Sentinels' choice of primary, and no process left behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from livefire_stubs.launcher import Platform, start_platform
from livefire_stubs.topology import load_topology
from redis.backoff import NoBackoff
from redis.retry import Retry

from chaos.catalog import FAULTS
from chaos.journal import Journal
from chaos.safety import FaultSession
from chaos.targets import resolve_targets
from livefire.base.processes import stragglers
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration

SMALL = "regions: [apac]\ntranscoders: 1\nchat_nodes: 1\n"  # all the Redis clients, less CPU


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    (tmp_path / "small.yaml").write_text(SMALL)
    run_dir = (tmp_path / "run").resolve()
    running = start_platform(run_dir, load_topology(tmp_path / "small.yaml"))
    try:
        yield running
    finally:
        running.stop()
    assert stragglers(run_dir) == []


def client(url: str, timeout: float = 0.5) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


def reachable(url: str) -> bool:
    try:
        return bool(client(url).ping())
    except redis.RedisError:
        return False


def sentinel_primary(described: dict[str, Any]) -> str:
    host, port = described["redis"]["sentinels"][0].split(":")
    found = redis.Redis(host, int(port), socket_timeout=1).sentinel_get_master_addr_by_name(
        described["redis"]["master_name"]
    )
    return f"redis://{found[0].decode()}:{found[1]}" if found else ""


def test_partitioned_primary_fails_over_and_rejoins(platform: Platform, tmp_path: Path) -> None:
    description = platform.describe()
    described = description.to_json()
    primary, replica = described["proxies"]["redis-primary"], described["proxies"]["redis-replica"]
    assert described["fault_targets"]["redis-primary"]["proxy"] == "redis-primary"
    assert sentinel_primary(described) == primary  # Sentinel hands out the proxied address
    client(primary).set("before", "1")
    wait_for(lambda: client(replica).get("before") == b"1", 5, "replication through the proxy")

    ref = resolve_targets(description)["redis-primary"]
    driver = FAULTS.get("database-partition").create(ref, {}, "f1")
    session = FaultSession(Journal(tmp_path))
    session.inject("f1", "database-partition", "redis-primary", driver, ttl=60)
    api = f"{described['proxy_api']}/proxies/redis-primary"
    toxics = requests.get(api, timeout=5).json()["toxics"]
    assert sorted((t["type"], t["stream"]) for t in toxics) == [
        ("timeout", "downstream"),
        ("timeout", "upstream"),
    ]
    with pytest.raises(redis.TimeoutError):
        client(primary).ping()
    assert client(replica).get("before") == b"1"  # reads through the replica still work
    search = f"{described['discovery']}/search?q=live"
    assert requests.get(search, timeout=5).status_code == 200  # and so does the service
    # Nothing reaches the primary, Sentinels included: they promote the replica.
    wait_for(lambda: sentinel_primary(described) == replica, 15, "a failover to the replica")
    wait_for(lambda: reachable(replica) and client(replica).set("during", "2"), 5, "a write")

    assert session.revert_all() == []
    assert requests.get(api, timeout=5).json()["toxics"] == []
    assert reachable(primary)

    def rejoined() -> bool:
        try:  # the old primary drops its clients when Sentinel makes it a replica
            info = client(primary).info("replication")
        except redis.ConnectionError:
            return False
        return info["role"] == "slave" and info["master_link_status"] == "up"

    wait_for(rejoined, 30, "the old primary to rejoin as a replica of the new one")
    assert client(primary).get("during") == b"2"
    assert sentinel_primary(described) == replica  # the new primary stays
