"""The catalog and the fault model: names, target kinds, typed params, driver specs."""

from __future__ import annotations

import pytest

from chaos.catalog import FAULTS
from chaos.model import DRIVERS, TARGET_KINDS, TargetRef
from livefire.base.errors import FaultError

CATALOG = {
    "transcoder-node-kill": "process",
    "cdn-region-blackhole": "proxy",
    "database-partition": "proxy",
    "gift-payment-timeout": "proxy",
    "chat-node-kill": "process",
    "edge-latency": "proxy",
    "redis-primary-kill": "redis",
    "origin-brownout": "proxy",
    "payment-latency": "proxy",
    "proxy-toxic": "proxy",
    "process-kill": "process",
    "process-pause": "process",
    "command": "command",
    "webhook": "webhook",
}
EDGE = TargetRef("edge-eu", "http://127.0.0.1:8474", "edge-eu")


def test_the_documented_catalog_is_there_with_its_target_kinds() -> None:
    assert {name: FAULTS.get(name).target_kind for name in CATALOG} == CATALOG
    assert all(FAULTS.get(name).target_kind in TARGET_KINDS for name in FAULTS)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_every_fault_has_defaults_for_every_param(name: str) -> None:
    FAULTS.get(name).params.model_validate({})


def test_a_process_fault_on_a_proxy_target_is_refused() -> None:
    with pytest.raises(FaultError) as caught:
        FAULTS.get("transcoder-node-kill").create(EDGE, {}, "f1")
    assert str(caught.value) == (
        "fault 'transcoder-node-kill' needs a process target, but target 'edge-eu' offers: proxy"
    )


def test_a_target_offering_nothing_says_so() -> None:
    problem = FAULTS.get("edge-latency").mismatch(TargetRef("ghost"))
    assert problem and problem.endswith("offers: nothing a fault can act on")


def test_target_kinds() -> None:
    many = TargetRef(
        "redis", "http://api", "redis-link", pids=(1,), redis_url="redis://h:1",
        command={"inject": ["true"]}, webhook={"inject": {"url": "http://x"}},
    )  # fmt: skip
    assert many.kinds() == TARGET_KINDS
    assert TargetRef("x", proxy_api="http://api").kinds() == ()  # a proxy needs its name too


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"latency_ms": "fast"},
            "params.latency_ms: Input should be a valid integer, unable to parse string as an "
            "integer, got 'fast'",
        ),
        (
            {"latency_ms": -1},
            "params.latency_ms: Input should be greater than or equal to 0, got -1",
        ),
        ({"latncy_ms": 5}, "params.latncy_ms: unknown parameter; did you mean 'latency_ms'?"),
        (
            {"stream": "sideways"},
            "params.stream: Input should be 'upstream' or 'downstream', got 'sideways'",
        ),
    ],
)
def test_bad_params_are_one_clear_line(params: dict, message: str) -> None:
    with pytest.raises(FaultError) as caught:
        FAULTS.get("edge-latency").create(EDGE, params, "f1")
    assert str(caught.value) == f"fault 'edge-latency': {message}"


def test_proxy_toxic_rejects_unknown_toxic_types() -> None:
    with pytest.raises(FaultError, match=r"params\.type"):
        FAULTS.get("proxy-toxic").create(EDGE, {"type": "latncy"}, "f1")


@pytest.mark.parametrize(
    "name", ["edge-latency", "origin-brownout", "database-partition", "cdn-region-blackhole"]
)
def test_proxy_fault_specs_rebuild_equal_drivers(name: str) -> None:
    driver = FAULTS.get(name).create(EDGE, {}, "f3")
    spec = driver.spec()
    assert DRIVERS.get(spec["driver"])(spec).spec() == spec


@pytest.mark.parametrize(
    "spec",
    [
        {"driver": "process", "signal": "STOP", "procs": [[12, 34]], "restart_argv": ["x"],
         "restart_log": None},
        {"driver": "command", "inject": ["a"], "revert": ["b", "c d"], "timeout_s": 2.0,
         "attempts": 1, "env": {"K": "v"}},
        {"driver": "http", "inject": {"url": "http://x"}, "revert": None, "timeout_s": 1.0,
         "attempts": 2},
        {"driver": "redis-kill", "address": "h:1", "method": "shutdown", "pid": None,
         "started": None, "restart_argv": [], "timeout_s": 3.0},
        {"driver": "redis-failover", "sentinels": ["h:2"], "master": "m", "timeout_s": 3.0},
        {"driver": "redis-replica-cut", "replica": "h:3", "timeout_s": 3.0},
    ],
)  # fmt: skip
def test_driver_specs_round_trip(spec: dict) -> None:
    assert DRIVERS.get(spec["driver"])(spec).spec() == spec


def test_command_fault_takes_argv_from_the_target_and_env_from_the_fault() -> None:
    target = TargetRef("k8s", command={"inject": ["kubectl", "delete", "pod", "tc-0"]})
    spec = FAULTS.get("command").create(target, {"timeout_s": 9}, "f2").spec()
    assert spec["inject"] == ["kubectl", "delete", "pod", "tc-0"]
    assert spec["revert"] == [] and spec["timeout_s"] == 9
    assert spec["env"] == {"LIVEFIRE_FAULT_ID": "f2", "LIVEFIRE_TARGET": "k8s"}


# Recovery is timed from injection for a self-healing fault and from revert for a sustained
# one (README, "What is measured": self-healing = kills, and outages the platform must route
# around; DESIGN: "CDN regional outage — traffic rerouted automatically, recovered in 45 s"),
# so a wrong classification moves every recovery time it judges.
SELF_HEALING = {
    "transcoder-node-kill",  # killed: the platform fails over at once, nobody reverts it
    "chat-node-kill",
    "process-kill",
    "redis-primary-kill",
    "redis-failover",  # an instant event: Sentinel moves the primary role
    "cdn-region-blackhole",  # the router must route around it while it lasts
}
SUSTAINED = {
    "database-partition",  # the service recovers once the partition heals
    "gift-payment-timeout",
    "edge-latency",
    "origin-brownout",
    "payment-latency",
    "proxy-toxic",
    "process-pause",  # SIGSTOP lasts until SIGCONT
    "redis-replica-cut",
    "command",
    "webhook",
}


def test_every_fault_is_classified_as_documented() -> None:
    assert SELF_HEALING.isdisjoint(SUSTAINED)
    assert set(FAULTS) == SELF_HEALING | SUSTAINED, "a new fault must be classified here"
    for name in FAULTS:
        assert FAULTS.get(name).self_healing is (name in SELF_HEALING), name
