"""`livefire run` on a staging scenario whose gifts and searches speak a foreign API through
templates: tips PUT as JSON with X-Request-Id, acknowledged by a 201, the conductor reading the
foreign ledger with the gifts endpoint's bearer (an env: secret it resolves itself). Every gift
is reconciled and the run passes; the control, whose API leaves some acknowledged tips
unbooked, exits 1 on gifts_lost."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import ROOT, livefire, report_of
from tests.protocol_plugin import install_tips

pytestmark = pytest.mark.e2e
TOKEN = "foreign-e2e-9d41"


@pytest.fixture
def api_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    monkeypatch.setenv("LIVEFIRE_TEST_FOREIGN_AUTH", f"Bearer {TOKEN}")
    yield {"FOREIGN_TOKEN": TOKEN}


def foreign_api(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "integration" / "foreign_gifts_api.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    assert server.stdout is not None
    return server, f"http://127.0.0.1:{server.stdout.readline().split()[1]}"


def scenario(api: str) -> dict[str, Any]:
    return {
        "name": "foreign-gifts",
        "duration": "8s",
        "target": {
            "staging": {
                "gifts": api,
                "discovery": api,
                "connect": {
                    "default": {"headers": {"Authorization": "env:LIVEFIRE_TEST_FOREIGN_AUTH"}}
                },
                "protocols": {
                    "gifts": {
                        "method": "PUT",
                        "url": "/v1/tips",
                        "body": '{"channel": "${stream}", "from": "${sender}", "cents": ${amount}}',
                        "success": [201],
                        "idempotency_header": "X-Request-Id",
                        "id": "$.tip.ref",
                        "ledger": {
                            "url": "/v1/tips/applied?page_size=5&cursor=${cursor}",
                            "items": "$.data.rows",
                            "next": "$.cursor.next",
                            "key": "$.request_id",
                            "applied_at": "$.booked_ms",
                            "applied_at_format": "epoch_ms",
                        },
                    },
                    "search": {
                        "url": "/api/v2/streams?query=${query}",
                        "queries": ["live", "concert"],
                        "results": "$.results[*]",
                    },
                },
            }
        },
        "load": {
            "users": {"gifter": 3, "searcher": 1},
            "shape": [{"ramp": "1s", "to": 1.0}],
            "workers": 1,
            "gift_interval": "200ms",
            "spawn_jitter": "500ms",  # the searcher's searches fall in the judged seconds
        },
        "slos": {"gift_success": "100%", "search_success": "100%", "gifts": {"deadline": "5s"}},
    }


def play(
    tmp_path: Path, run_dir: Path, env: dict[str, str], plugins: Path | None = None
) -> tuple[int, str, dict[str, Any]]:
    """Play the scenario against a fresh foreign API; with `plugins` (a directory with the
    tips-py and streams-py plugins installed) its gifts and searches go through them."""
    server, api = foreign_api(env)
    try:
        path = tmp_path / "foreign.yaml"
        played = scenario(api)
        if plugins is not None:
            played["target"]["staging"]["protocols"] = {
                "gifts": {"plugin": "tips-py", "options": {"page_size": 4}},
                "search": {"plugin": "streams-py", "options": {"query": "concert"}},
            }
        path.write_text(yaml.safe_dump(played))
        where = (plugins,) if plugins is not None else ()
        proc = livefire("run", str(path), "--run-dir", str(run_dir), path=where)
        try:
            out, _ = proc.communicate(timeout=150)
        finally:
            proc.kill()
        return proc.returncode, out, report_of(run_dir)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)


def checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["promise"]: c for c in report["checks"]}


def test_foreign_tips_are_all_reconciled_and_the_run_passes(
    tmp_path: Path, run_dir: Path, api_env: dict[str, str]
) -> None:
    code, out, report = play(tmp_path, run_dir, api_env)
    found = checks(report)
    assert code == 0 and report["result"] == "pass", out
    assert found["gifts_lost"]["passed"] and found["gifts_lost"]["measured"] == 0
    assert found["gift_eventual_consistency"]["measured"] == 1.0
    assert found["search_success"]["measured"] == 1.0
    assert TOKEN not in out


def test_foreign_tips_left_unbooked_fail_the_run_on_gifts_lost(
    tmp_path: Path, run_dir: Path, api_env: dict[str, str]
) -> None:
    code, out, report = play(tmp_path, run_dir, api_env | {"FOREIGN_UNBOOKED_EVERY": "7"})
    found = checks(report)
    assert code == 1 and report["result"] == "fail", out
    assert not found["gifts_lost"]["passed"] and found["gifts_lost"]["measured"] >= 3
    assert found["gift_success"]["passed"]  # every tip was acknowledged: only the ledger lies


def test_gift_and_search_plugins_speak_the_foreign_api_and_are_judged_the_same(
    tmp_path: Path, run_dir: Path, api_env: dict[str, str]
) -> None:
    """The Python extension point for gifts (post one, read the ledger in the conductor) and
    search: the same reconciliation and SLIs; the control's unbooked tips are found too."""
    site = install_tips(tmp_path / "site")
    code, out, report = play(tmp_path, run_dir, api_env, site)
    found = checks(report)
    assert code == 0 and report["result"] == "pass", out
    assert found["gifts_lost"]["measured"] == 0 and found["search_success"]["measured"] == 1.0
    assert TOKEN not in out
    lossy = api_env | {"FOREIGN_UNBOOKED_EVERY": "7"}
    code, out, report = play(tmp_path, tmp_path / "lossy", lossy, site)
    assert code == 1 and not checks(report)["gifts_lost"]["passed"], out
