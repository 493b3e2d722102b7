"""`livefire chaos` as an operator runs it: a real CLI process against the real proxy."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chaos.drivers.process import running, start_time
from chaos.journal import Entry, Journal
from chaos.proxy import ProxyServerThread
from tests.integration.chaos.conftest import PROXY, healthy, proxy_state
from tests.integration.chaos.servers import hung_app, serving

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


def livefire(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env or {}), "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'target-stubs'}"}
    return subprocess.run(
        [sys.executable, "-m", "livefire", "chaos", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def watchdog_pid(stdout: str) -> int:
    return int(stdout.split("watchdog pid ")[1].split(")")[0])


def gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return False


def test_inject_then_revert_twice(proxy_api: str, tmp_path: Path) -> None:
    run = tmp_path / "gameday"
    injected = livefire(
        "inject", "edge-latency", "--target", PROXY, "--proxy-api", proxy_api,
        "--param", "latency_ms=750", "--ttl", "60s", "--journal", str(run),
        "--watch-pid", str(os.getpid()),
    )  # fmt: skip
    assert injected.returncode == 0, injected.stderr
    (toxic,) = proxy_state(proxy_api)["toxics"]
    assert toxic["attributes"]["latency"] == 750
    first = livefire("revert", "--journal", str(run))
    assert first.returncode == 0, first.stderr
    assert "edge-latency on edge-eu: reverted" in first.stdout
    assert healthy(proxy_api)
    second = livefire("revert", "--journal", str(run))
    assert (second.returncode, second.stdout.split(":")[0]) == (0, "nothing to revert")
    assert gone(watchdog_pid(injected.stdout), within=5), "the idle watchdog did not exit"


def test_inject_is_reverted_by_its_ttl(proxy_api: str, tmp_path: Path) -> None:
    injected = livefire(
        "inject", "cdn-region-blackhole", "--target", PROXY, "--proxy-api", proxy_api,
        "--ttl", "1s", "--journal", str(tmp_path), "--watch-pid", str(os.getpid()),
    )  # fmt: skip
    assert injected.returncode == 0, injected.stderr
    assert proxy_state(proxy_api)["enabled"] is False
    assert gone(watchdog_pid(injected.stdout), within=6)
    assert healthy(proxy_api)


def test_revert_that_cannot_succeed_exits_1(tmp_path: Path) -> None:
    with serving(hung_app()) as api:
        spec = {"driver": "proxy-disable", "api": api, "proxy": PROXY, "timeout_s": 0.2,
                "attempts": 1}  # fmt: skip
        Journal(tmp_path).append(Entry("f0", "injected", time.time(), "x", PROXY, 0.0, spec))
        result = livefire("revert", "--journal", str(tmp_path))
    assert result.returncode == 1
    assert "STILL ACTIVE" in result.stdout
    assert Journal(tmp_path).active()[0].event == "revert_failed"


def test_revert_of_a_fault_whose_embedded_platform_died_finds_nothing_to_revert(
    tmp_path: Path,
) -> None:
    platform = subprocess.Popen(["sleep", "30"])  # stands in for the platform's processes
    owner = [[platform.pid, start_time(platform.pid) or 0]]
    platform.kill()
    platform.wait(5)
    spec = {"driver": "proxy-disable", "api": "http://127.0.0.1:9", "proxy": PROXY}
    Journal(tmp_path).append(
        Entry("f0", "injected", time.time(), "edge-latency", PROXY, 0.0, spec, owner=owner)
    )
    result = livefire("revert", "--journal", str(tmp_path))
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    first, line = result.stdout.splitlines()
    assert first.startswith("nothing to revert")
    assert line.startswith("f0 edge-latency on edge-eu: void, nothing to revert: target gone")
    assert Journal(tmp_path).active() == []


@pytest.mark.parametrize("refusal", ["wrong token", "nothing listening"])
def test_a_revert_that_really_fails_is_one_line_naming_fault_target_and_cause(
    refusal: str, tmp_path: Path
) -> None:
    """A live foreign proxy that refuses, or one that does not answer at all: no owner, so
    never void; the fault stays active and the operator reads one line, not urllib3's repr."""
    with ProxyServerThread(port=0, token="the-right-one") as server:
        api = server.url if refusal == "wrong token" else "http://127.0.0.1:9"
        toxic = {"name": "livefire-f0", "type": "latency", "attributes": {"latency": 300}}
        spec = {"driver": "proxy-toxic", "api": api, "proxy": PROXY, "toxic": toxic,
                "definition": {"name": PROXY}, "token_env": "LF_TEST_TOKEN"}  # fmt: skip
        entry = Entry("f0", "injected", time.time(), "edge-latency", PROXY, 0.0, spec)
        Journal(tmp_path).append(entry)
        result = livefire("revert", "--journal", str(tmp_path), env={"LF_TEST_TOKEN": "wrong"})
    assert (result.returncode, result.stderr) == (1, ""), result.stdout
    (line,) = result.stdout.splitlines()
    cause = "HTTP 401 (missing or invalid token" if refusal == "wrong token" else "refused"
    assert line.startswith("f0 edge-latency on edge-eu: STILL ACTIVE: revert failed: "), line
    assert cause in line and len(line) < 300, line
    assert Journal(tmp_path).active()[0].event == "revert_failed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inject", "edge-latncy"], "did you mean 'edge-latency'?"),
        (["inject", "edge-latency", "--param", "latency_ms=fast"], "params.latency_ms"),
        (["inject", "edge-latency", "--param", "nope"], "expected KEY=VALUE"),
        (["inject", "edge-latency", "--ttl", "soon"], "--ttl"),
        (["inject", "process-kill"], "needs a process target"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    base = ["--target", PROXY, "--proxy-api", "http://127.0.0.1:9", "--journal", str(tmp_path)]
    result = livefire(*args[:2], *base, *args[2:])
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "faults.jsonl").exists()


def test_list_shows_the_catalog() -> None:
    result = livefire("list", "--json")
    catalog = {fault["name"]: fault for fault in json.loads(result.stdout)}
    assert catalog["edge-latency"]["params"]["latency_ms"] == 300
    assert catalog["transcoder-node-kill"]["target_kind"] == "process"
    assert {"redis-primary-kill", "webhook", "command", "origin-brownout"} <= set(catalog)


def test_inject_from_a_targets_file_pauses_a_process(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        targets = tmp_path / "targets.yaml"
        targets.write_text(f"chat-1:\n  pid: {sleeper.pid}\n")
        injected = livefire(
            "inject", "process-pause", "--target", "chat-1", "--targets", str(targets),
            "--journal", str(tmp_path / "run"), "--watch-pid", str(os.getpid()),
        )  # fmt: skip
        assert injected.returncode == 0, injected.stderr
        stat = Path(f"/proc/{sleeper.pid}/stat")
        assert stat.read_text().rsplit(")", 1)[1].split()[0] == "T"
        assert livefire("revert", "--journal", str(tmp_path / "run")).returncode == 0
        assert stat.read_text().rsplit(")", 1)[1].split()[0] in ("S", "R")
        assert gone(watchdog_pid(injected.stdout), within=5)
    finally:
        sleeper.kill()
        sleeper.wait(5)


def test_watchdog_restarts_a_killed_process_at_ttl(tmp_path: Path) -> None:
    """The restart command travels in the journal: the watchdog, not the CLI, restarts it."""
    argv = [sys.executable, "-c", "import time; time.sleep(60)", str(tmp_path)]
    victim = subprocess.Popen(argv)
    try:
        targets = tmp_path / "targets.json"
        targets.write_text(json.dumps({"tc-1": {"pid": victim.pid, "restart": argv}}))
        injected = livefire(
            "inject", "transcoder-node-kill", "--target", "tc-1", "--targets", str(targets),
            "--ttl", "1s", "--journal", str(tmp_path / "run"), "--watch-pid", str(os.getpid()),
        )  # fmt: skip
        assert injected.returncode == 0, injected.stderr
        assert victim.wait(5) == -signal.SIGKILL
        assert gone(watchdog_pid(injected.stdout), within=6)
        assert len(running(argv)) == 1
    finally:
        victim.kill()
        victim.wait(5)
        for pid in running(argv):
            os.kill(pid, signal.SIGKILL)
