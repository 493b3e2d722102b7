"""Faults on the real embedded platform after a revert restarted something: the next fault
finds the new process, and `Platform.stop()` stops it (read from /proc, not from livefire)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from livefire_stubs.launcher import Platform, start_platform
from livefire_stubs.topology import TOPOLOGIES

from chaos.catalog import FAULTS
from chaos.drivers.process import start_time
from chaos.journal import Journal
from chaos.safety import FaultSession
from chaos.targets import resolve_targets
from livefire.base.processes import stragglers

pytestmark = pytest.mark.integration


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    running = start_platform(tmp_path / "run", TOPOLOGIES["default"])
    yield running
    running.stop()


def wait_for(predicate, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())


def ready_pid(platform: Platform, name: str) -> int | None:
    try:
        return int(json.loads(platform.processes.ready_file(name).read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return None


def test_a_component_restarted_by_a_revert_can_be_faulted_again(
    platform: Platform, tmp_path: Path
) -> None:
    targets = resolve_targets(platform.describe())  # once, as the conductor does
    session = FaultSession(Journal(tmp_path))
    first = platform.describe().components["chat-1"]["pid"]
    kill = FAULTS.get("chat-node-kill").create(targets["chat-1"], {}, "f0")
    session.inject("f0", "chat-node-kill", "chat-1", kill, ttl=30)
    assert wait_for(lambda: start_time(first) is None)
    assert session.revert("f0")
    assert wait_for(lambda: ready_pid(platform, "chat-1") not in (None, first))
    second = ready_pid(platform, "chat-1")
    assert second is not None and start_time(second) is not None
    pause = FAULTS.get("process-pause").create(targets["chat-1"], {}, "f1")  # no FaultError
    session.inject("f1", "process-pause", "chat-1", pause, ttl=30)
    assert Path(f"/proc/{second}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
    assert session.revert("f1")
    again = FAULTS.get("chat-node-kill").create(targets["chat-1"], {"restart": False}, "f2")
    session.inject("f2", "chat-node-kill", "chat-1", again, ttl=30)
    assert wait_for(lambda: start_time(second) is None)


def test_a_redis_primary_restarted_by_a_revert_is_stopped_with_the_platform(
    platform: Platform, tmp_path: Path
) -> None:
    run_dir = platform.run_dir
    targets = resolve_targets(platform.describe())
    old = platform.describe().redis["nodes"]["primary"]
    host, port = old["addr"].split(":")
    session = FaultSession(Journal(tmp_path))
    kill = FAULTS.get("redis-primary-kill").create(targets["redis"], {}, "f0")
    session.inject("f0", "redis-primary-kill", "redis", kill, ttl=30)
    assert wait_for(lambda: start_time(old["pid"]) is None)
    assert session.revert("f0")
    client = redis.Redis(host, int(port), socket_timeout=1)
    assert wait_for(lambda: _pid(client) is not None)
    restarted = _pid(client)
    assert restarted is not None and restarted != old["pid"]
    assert restarted in stragglers(run_dir)  # it carries the run's marker
    platform.stop()
    assert wait_for(lambda: start_time(restarted) is None, 5)
    assert stragglers(run_dir) == []


def _pid(client: redis.Redis) -> int | None:
    try:
        return int(client.info("server")["process_id"])
    except redis.RedisError:
        return None
