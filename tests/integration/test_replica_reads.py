"""While the primary is partitioned, reads are served by the replica, unless sabotaged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from livefire_stubs.redis_cluster import RedisCluster

from tests.integration.conftest import Components, http
from tests.integration.gifts_platform import GiftsPlatform, gift, wait_status

pytestmark = pytest.mark.integration


@pytest.fixture
def slow_failover_cluster(tmp_path: Path) -> Iterator[RedisCluster]:
    """Sentinels wait 60 s before failing over, so a frozen primary stays 'partitioned'."""
    with RedisCluster(tmp_path / "cluster", down_after_ms=60_000) as cluster:
        yield cluster


@pytest.mark.parametrize("sabotage", [False, True], ids=["control", "no-replica-reads"])
def test_reads_survive_a_partitioned_primary(
    components: Components, slow_failover_cluster: RedisCluster, sabotage: bool
) -> None:
    cluster = slow_failover_cluster
    flags = ("--sabotage", "no-replica-reads") if sabotage else ()
    platform = GiftsPlatform(components, cluster)
    platform.start_payment()
    api = platform.start_api(*flags)
    platform.start_worker()
    search = components.start("discovery", "--sentinel", cluster.sentinel_arg(), *flags)["url"]
    _, accepted = gift(api, "before-partition")
    wait_status(api, accepted["id"], "paid")
    assert http("PUT", f"{search}/streams/s1", {"title": "still here"})[0] == 200
    cluster.primary.client().wait(1, 2000)

    cluster.freeze("primary")  # no answers, no resets: a partition
    try:
        reads = {
            "gift": http("GET", f"{api}/gifts/{accepted['id']}"),
            "ledger": http("GET", f"{api}/ledger"),
            "search": http("GET", f"{search}/search?q=still"),
        }
        writes = gift(api, "during-partition")
    finally:
        cluster.thaw("primary")

    if sabotage:
        assert {name: status for name, (status, _) in reads.items()} == dict.fromkeys(reads, 503)
    else:
        assert {name: status for name, (status, _) in reads.items()} == dict.fromkeys(reads, 200)
        assert reads["gift"][1]["status"] == "paid"
        assert [e["gift_id"] for e in reads["ledger"][1]["entries"]] == [accepted["id"]]
        assert [s["id"] for s in reads["search"][1]["results"]] == ["s1"]
    assert writes[0] == 503  # writes need the primary either way; nothing is acknowledged
