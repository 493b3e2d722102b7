"""No secret reaches the run directory: a game day on the embedded platform whose fault proxy
requires a token (LIVEFIRE_PROXY_TOKEN, as a user sets it) injects and reverts a proxy fault
with it, yet not one file of the run (journal, report, telemetry, logs), nor what the run
printed, holds the token."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from chaos.journal import REVERTED, Journal
from livefire.base.description import PROXY_TOKEN_ENV
from livefire.base.processes import stragglers
from tests.e2e.conftest import ROOT, livefire, report_of

pytestmark = pytest.mark.e2e

CANARY = "canary-7f3e9b2d-token"


def holding(root: Path, secret: str) -> list[str]:
    """Every file under `root` (recursively) whose bytes contain `secret`."""
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and secret.encode() in path.read_bytes()
    )


def test_the_proxy_token_reaches_no_file_of_the_run(
    tmp_path: Path, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROXY_TOKEN_ENV, CANARY)
    scenario = {
        "name": "secrets",
        "duration": "8s",
        "target": {"embedded": {"topology": "default", "streams": 1}},
        "load": {"users": {"viewer": 2}, "shape": [{"ramp": "1s", "to": 1.0}], "workers": 1},
        "faults": [
            {"at": "2s", "fault": "edge-latency", "target": "edge-apac", "for": "3s",
             "params": {"latency_ms": 100}}
        ],
        "slos": {"viewer_error_rate": "100%"},
    }  # fmt: skip
    path = tmp_path / "secrets.yaml"
    path.write_text(yaml.safe_dump(scenario))
    proc = livefire("run", str(path), "--run-dir", str(run_dir))
    try:
        out, _ = proc.communicate(timeout=180)
    finally:
        proc.kill()
        for pid in stragglers(run_dir):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert (run_dir / "report.json").exists(), out
    assert report_of(run_dir)["target"]["proxy_token_env"] == PROXY_TOKEN_ENV, out
    last = Journal(run_dir).latest()["f0"]
    assert (last.event, last.by) == (REVERTED, "conductor"), last  # the proxy took the token
    assert holding(run_dir, CANARY) == []
    assert CANARY not in out


def test_staging_secrets_of_every_kind_reach_no_file_of_the_run(
    tmp_path: Path, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A header from env, a header from a file, a pool password and the login's token: each
    canary is sent (the API answers only when all are right, and the search promise holds)
    and none is in any file of the run or in what it printed."""
    canaries = {kind: f"canary-{kind}-5c1d" for kind in ("env", "file", "password", "token")}
    monkeypatch.setenv("LIVEFIRE_TEST_API_KEY", canaries["env"])
    (tmp_path / "secret.txt").write_text(canaries["file"] + "\n")
    (tmp_path / "pool.csv").write_text(f"username,password\nalice,{canaries['password']}\n")
    env = {
        "AUTH_USERS": json.dumps({"alice": canaries["password"]}),
        "AUTH_EXPECT": json.dumps({"X-Api-Key": canaries["env"], "X-File": canaries["file"]}),
        "AUTH_TOKEN_PREFIX": canaries["token"],
    }
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "integration" / "auth_server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    try:
        assert server.stdout is not None
        api = f"http://127.0.0.1:{server.stdout.readline().split()[1]}"
        scenario = {
            "name": "staging-secrets",
            "duration": "8s",
            "target": {
                "staging": {
                    "discovery": api,
                    "connect": {
                        "discovery": {
                            "headers": {
                                "Authorization": "Bearer ${token}",
                                "X-Api-Key": "env:LIVEFIRE_TEST_API_KEY",
                                "X-File": "file:secret.txt",
                            }
                        }
                    },
                    "identities": {
                        "pool": "pool.csv",
                        "login": {
                            "url": f"{api}/login",
                            "body": '{"user": "${username}", "password": "${password}"}',
                            "token": "$.auth.access_token",
                        },
                    },
                }
            },
            # no spawn jitter: two searchers from the first second make the 10 searches a
            # ratio needs (with the default 5 s jitter, a 6 s run often had 5: "no data")
            "load": {
                "users": {"searcher": 2},
                "shape": [{"ramp": "1s", "to": 1.0}],
                "workers": 1,
                "spawn_jitter": "0s",
            },
            "slos": {"search_success": "100%"},
        }
        path = tmp_path / "staging-secrets.yaml"
        path.write_text(yaml.safe_dump(scenario))
        proc = livefire("run", str(path), "--run-dir", str(run_dir))
        try:
            out, _ = proc.communicate(timeout=120)
        finally:
            proc.kill()
        report = report_of(run_dir)
        (check,) = [c for c in report["checks"] if c["promise"] == "search_success"]
        assert check["passed"] and report["result"] == "pass", out  # every secret was sent
        assert "1 row(s) for 2 simulated users" in out  # the shared identity is said
        for kind, canary in canaries.items():
            assert holding(run_dir, canary) == [], kind
            assert canary not in out, kind
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
