"""Every proxy fault in the catalog, injected and reverted against the real embedded proxy;
the proxy's state is read back through its own API, not from livefire's journal."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from chaos.catalog import FAULTS
from chaos.drivers.composite import AllOf
from chaos.drivers.proxy import ProxyToxic
from chaos.journal import INJECT_FAILED, INJECTING, REVERT_FAILED, REVERTED, Entry, Journal, now
from chaos.model import TargetRef
from chaos.plugins import load_plugins
from chaos.safety import FaultSession, revert_active, undo
from livefire.base.errors import FaultError
from tests.integration.chaos.conftest import PROXY, healthy, proxy_state
from tests.integration.chaos.servers import front_app, hung_app, serving

pytestmark = pytest.mark.integration

TOXICS = {
    "edge-latency": [("latency", "downstream")],
    "gift-payment-timeout": [("timeout", "downstream")],
    "payment-latency": [("latency", "downstream")],
    "database-partition": [("timeout", "upstream"), ("timeout", "downstream")],
    "origin-brownout": [
        ("latency", "downstream"),
        ("bandwidth", "downstream"),
        ("slicer", "downstream"),
    ],
    "proxy-toxic": [("latency", "downstream")],
}


@pytest.mark.parametrize("name", sorted(TOXICS))
def test_toxic_faults_inject_then_revert(proxy_api: str, name: str, tmp_path: Path) -> None:
    load_plugins()
    driver = FAULTS.get(name).create(TargetRef(PROXY, proxy_api, PROXY), {}, "f1")
    session = FaultSession(Journal(tmp_path))
    session.inject("f1", name, PROXY, driver, ttl=30)
    toxics = proxy_state(proxy_api)["toxics"]
    assert sorted((t["type"], t["stream"]) for t in toxics) == sorted(TOXICS[name])
    assert all(t["name"].startswith("livefire-f1") for t in toxics)
    assert session.revert("f1")
    assert healthy(proxy_api)
    assert session.revert("f1")  # idempotent
    assert healthy(proxy_api)


@pytest.mark.parametrize(
    ("name", "params"), [("cdn-region-blackhole", {}), ("database-partition", {"mode": "refuse"})]
)
def test_disable_faults(proxy_api: str, name: str, params: dict, tmp_path: Path) -> None:
    driver = FAULTS.get(name).create(TargetRef(PROXY, proxy_api, PROXY), params, "f1")
    session = FaultSession(Journal(tmp_path))
    session.inject("f1", name, PROXY, driver, ttl=30)
    assert proxy_state(proxy_api)["enabled"] is False
    session.revert_all()
    assert healthy(proxy_api)


def test_proxy_toxic_takes_any_toxic(proxy_api: str) -> None:
    params = {"type": "bandwidth", "attributes": {"rate": 64}, "stream": "upstream"}
    driver = FAULTS.get("proxy-toxic").create(TargetRef(PROXY, proxy_api, PROXY), params, "g")
    driver.inject()
    (toxic,) = proxy_state(proxy_api)["toxics"]
    assert (toxic["type"], toxic["stream"], toxic["attributes"]) == (
        "bandwidth",
        "upstream",
        {"rate": 64},
    )
    driver.revert()
    assert healthy(proxy_api)


def test_stuck_revert_falls_back_to_recreating_the_proxy(proxy_api: str, tmp_path: Path) -> None:
    """The API hangs on DELETE toxic: the fallback deletes and recreates the proxy."""
    listen = proxy_state(proxy_api)["listen"]
    with serving(front_app(proxy_api, "DELETE /toxics/")) as front:
        driver = FAULTS.get("edge-latency").create(TargetRef(PROXY, front, PROXY), {}, "f1")
        driver.timeout, driver.attempts = 0.3, 2  # type: ignore[attr-defined]
        journal = Journal(tmp_path)
        session = FaultSession(journal)
        session.inject("f1", "edge-latency", PROXY, driver, ttl=30)
        assert len(proxy_state(proxy_api)["toxics"]) == 1
        started = time.monotonic()
        assert session.revert("f1")
        assert time.monotonic() - started < 5
    assert healthy(proxy_api)
    assert proxy_state(proxy_api)["listen"] == listen
    last = journal.latest()["f1"]
    assert (last.event, last.by) == (REVERTED, "fallback")
    assert "revert failed" in last.error


def test_hung_api_revert_is_bounded_and_journaled(tmp_path: Path) -> None:
    """Nothing answers: revert and fallback both time out, and the journal says so."""
    with serving(hung_app()) as api:
        driver = FAULTS.get("cdn-region-blackhole").create(TargetRef(PROXY, api, PROXY), {}, "f1")
        driver.timeout, driver.attempts = 0.3, 2  # type: ignore[attr-defined]
        driver.definition = {"name": PROXY, "listen": "127.0.0.1:1", "upstream": "x:1"}  # type: ignore[attr-defined]
        journal = Journal(tmp_path)
        started = time.monotonic()
        assert not undo(journal, "f1", driver, "watchdog")
        elapsed = time.monotonic() - started
    assert elapsed < 0.3 * 2 + 0.3 * 2 + 2.0  # revert attempts + one per fallback call + slack
    last = journal.latest()["f1"]
    assert last.event == REVERT_FAILED
    assert "revert failed" in last.error and "fallback failed" in last.error


def test_a_fault_that_failed_partway_is_reverted_after_the_conductor_died(
    proxy_api: str, tmp_path: Path
) -> None:
    driver = FAULTS.get("origin-brownout").create(TargetRef(PROXY, proxy_api, PROXY), {}, "f1")
    assert isinstance(driver, AllOf) and isinstance(driver.parts[2], ProxyToxic)
    driver.parts[2].toxic["type"] = "no-such-toxic"  # the proxy refuses the last part
    journal = Journal(tmp_path)
    journal.append(
        Entry("f1", INJECTING, now(), "origin-brownout", PROXY, now() + 30, driver.spec())
    )
    with pytest.raises(FaultError):
        driver.inject()
    journal.append(Entry("f1", INJECT_FAILED, now(), error="slicer refused"))
    # the conductor dies here, before its own revert: two of three toxics are in place
    assert len(proxy_state(proxy_api)["toxics"]) == 2
    assert revert_active(journal, "watchdog", lambda entry: True) == []
    assert healthy(proxy_api)
    assert journal.latest()["f1"].event == REVERTED
    assert revert_active(journal, "watchdog", lambda entry: True) == []  # nothing left to do
