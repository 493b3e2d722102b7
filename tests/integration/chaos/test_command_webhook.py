"""The command and webhook drivers against real processes and a real HTTP server."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from chaos.catalog import FAULTS
from chaos.drivers.command import Command
from chaos.drivers.process import start_time
from chaos.journal import Journal
from chaos.model import TargetRef
from chaos.safety import FaultSession, revert_active
from chaos.targets import resolve_targets
from livefire.base.description import TargetDescription
from livefire.base.errors import FaultError
from tests.integration.chaos.servers import hung_app, recorder_app, serving

pytestmark = pytest.mark.integration

WRITE_ARGS = "import json, sys; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))"


def test_command_arguments_never_reach_a_shell(tmp_path: Path) -> None:
    out, canary = tmp_path / "args.json", tmp_path / "canary"
    hostile = f"pod-1; touch {canary}; rm -rf {tmp_path}"
    target = TargetRef(
        "k8s", command={"inject": [sys.executable, "-c", WRITE_ARGS, str(out), hostile, "$HOME"]}
    )
    driver = FAULTS.get("command").create(target, {}, "f1")
    FaultSession(Journal(tmp_path)).inject("f1", "command", "k8s", driver, ttl=30)
    assert json.loads(out.read_text()) == [hostile, "$HOME"]
    assert not canary.exists()


def test_command_revert_runs_with_fault_env(tmp_path: Path) -> None:
    out = tmp_path / "env.json"
    dump = "import json, os, sys; open(sys.argv[1], 'w').write(os.environ['LIVEFIRE_FAULT_ID'])"
    target = TargetRef(
        "k8s",
        command={"inject": ["true"], "revert": [sys.executable, "-c", dump, str(out)]},
    )
    session = FaultSession(Journal(tmp_path))
    session.inject("f7", "command", "k8s", FAULTS.get("command").create(target, {}, "f7"), 30)
    assert session.revert_all() == []  # rebuilt from the journal
    assert out.read_text() == "f7"


def test_command_timeout_is_bounded() -> None:
    driver = Command({"inject": ["sleep", "30"], "timeout_s": 0.3})
    started = time.monotonic()
    with pytest.raises(FaultError, match=r"still running after 0\.3 s"):
        driver.inject()
    assert time.monotonic() - started < 2


def test_command_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    """A wrapper that backgrounds the real work (`sh -c 'tool & wait'`) leaves nothing behind."""
    pid_file = tmp_path / "grandchild.pid"
    wrapper = 'sleep 30 >/dev/null 2>&1 & echo $! > "$1"; wait'
    driver = Command({"inject": ["sh", "-c", wrapper, "sh", str(pid_file)], "timeout_s": 0.5})
    started = time.monotonic()
    with pytest.raises(FaultError, match=r"still running after 0\.5 s"):
        driver.inject()
    assert time.monotonic() - started < 3
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 2
    while start_time(grandchild) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert start_time(grandchild) is None, f"pid {grandchild} outlived the timeout"


def test_failing_revert_is_retried_then_reported(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    bump = "import sys, pathlib; p = pathlib.Path(sys.argv[1]); p.write_text(p.read_text() + 'x')"
    counter.write_text("")
    argv = [sys.executable, "-c", bump + "; sys.exit('nope')", str(counter)]
    driver = Command({"inject": ["true"], "revert": argv, "attempts": 3})
    with pytest.raises(FaultError, match=r"after 3 attempts.*nope"):
        driver.revert()
    assert counter.read_text() == "xxx"


def test_missing_executable_is_a_fault_error() -> None:
    with pytest.raises(FaultError, match="no-such-tool"):
        Command({"inject": ["no-such-tool-livefire"]}).inject()


def webhook_target(url: str) -> TargetRef:
    declared = {
        "payments": {
            "webhook": {
                "inject": {"url": f"{url}/chaos/on", "json": {"fault": "timeout"},
                           "headers": {"Authorization": "env:LF_TEST_TOKEN"}},
                "revert": {"method": "DELETE", "url": f"{url}/chaos/on"},
            }
        }
    }  # fmt: skip
    return resolve_targets(TargetDescription(fault_targets=declared))["payments"]


def test_webhook_inject_and_revert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LF_TEST_TOKEN", "Bearer s3cret")
    calls: list[dict[str, Any]] = []
    with serving(recorder_app(calls, fail_first=1)) as url:
        journal = Journal(tmp_path)
        session = FaultSession(journal)
        driver = FAULTS.get("webhook").create(webhook_target(url), {}, "f1")
        session.inject("f1", "webhook", "payments", driver, ttl=30)
        assert session.revert_all() == []
    assert [(c["method"], c["path"]) for c in calls] == [
        ("POST", "/chaos/on"),  # 503: retried
        ("POST", "/chaos/on"),
        ("DELETE", "/chaos/on"),
    ]
    assert calls[1]["json"] == {"fault": "timeout"}
    assert calls[1]["headers"]["Authorization"] == "Bearer s3cret"
    assert "s3cret" not in journal.path.read_text()


def test_hung_webhook_is_bounded() -> None:
    with serving(hung_app()) as url:
        driver = FAULTS.get("webhook").create(
            webhook_target(url), {"timeout_s": 0.3, "attempts": 2}, "f1"
        )
        started = time.monotonic()
        with pytest.raises(FaultError, match="after 2 attempt"):
            driver.revert()
        assert time.monotonic() - started < 3


def test_the_conductor_does_not_revert_what_the_watchdog_already_did(tmp_path: Path) -> None:
    calls = tmp_path / "reverts"
    append = "import sys; open(sys.argv[1], 'a').write('revert\\n')"
    target = TargetRef(
        "ops", command={"inject": ["true"], "revert": [sys.executable, "-c", append, str(calls)]}
    )
    session = FaultSession(Journal(tmp_path))
    session.inject("f1", "command", "ops", FAULTS.get("command").create(target, {}, "f1"), 30)
    assert revert_active(session.journal, "watchdog", lambda entry: True) == []  # TTL passed
    assert session.revert("f1")  # then the schedule comes round
    assert calls.read_text() == "revert\n"
    assert Journal(tmp_path).latest()["f1"].by == "watchdog"
