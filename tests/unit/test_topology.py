"""Topology YAML: the shipped default, overrides, and refusals with a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest
from livefire_stubs.sabotage import check_sabotages, sabotages_for
from livefire_stubs.topology import TOPOLOGIES, load_topology, parse_topology

from livefire.base.errors import SetupError


def test_default_topology_names_every_fault_target() -> None:
    topology = TOPOLOGIES["default"]
    assert topology.regions == ("apac", "na", "eu", "other") and topology.transcoders == 2
    targets = set(topology.fault_targets())
    assert {"edge-eu", "origin-apac", "payments", "ingest-transcoder-1"} <= targets
    assert {"transcoder-2", "chat-1", "origin", "edge-apac-node", "redis"} <= targets
    assert "default" in TOPOLOGIES and "nope" not in TOPOLOGIES


def test_a_yaml_file_overrides_counts_and_links(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text("regions: [eu, na]\nstreams: 2\ntranscoders: 3\nlinks: {edge-origin: false}\n")
    topology = TOPOLOGIES[str(path)]
    assert topology.streams == ("live1", "live2") and topology.transcoder_names()[-1] == (
        "transcoder-3"
    )
    assert "origin-eu" not in topology.proxies() and "edge-eu" in topology.proxies()
    assert load_topology(path) == topology


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"transcoder": 2}, "unknown key 'transcoder'; did you mean 'transcoders'?"),
        ({"transcoders": 0}, "transcoders: expected an integer >= 1, got 0"),
        ({"ladder": "4k"}, "ladder: expected one of"),
        ({"links": {"viewer-edges": False}}, "links: unknown ['viewer-edges']"),
        ([1, 2], "expected a mapping"),
    ],
)
def test_bad_topologies_are_refused_naming_the_key(raw: object, message: str) -> None:
    with pytest.raises(SetupError, match=None) as info:
        parse_topology(raw, "t.yaml")
    assert str(info.value).startswith("t.yaml: ") and message in str(info.value)


def test_sabotages_are_checked_and_handed_only_to_their_components() -> None:
    assert check_sabotages(["no-region-reroute"]) == ("no-region-reroute",)
    with pytest.raises(ValueError, match="did you mean 'no-transcoder-failover'"):
        check_sabotages(["no-transcoder-failovr"])
    names = ("no-region-reroute", "no-idempotency")
    assert sabotages_for("router", names) == ["--sabotage", "no-region-reroute"]
    assert sabotages_for("gifts-api", names) == ["--sabotage", "no-idempotency"]
    assert sabotages_for("transcoder", names) == []


def test_redis_servers_are_proxy_and_process_targets_unless_the_link_is_off() -> None:
    kinds = TOPOLOGIES["default"].target_kinds()
    assert kinds["redis-primary"] == kinds["redis-replica"] == {"proxy", "process"}
    assert kinds["redis"] == {"redis", "process"}
    direct = parse_topology({"links": {"redis": False}}, "t.yaml").target_kinds()
    assert direct["redis-primary"] == {"process"} and "redis-primary" in direct
