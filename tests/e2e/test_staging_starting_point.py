"""The README's staging starting point (examples/staging/staging.yaml) is a scenario that works:
played as written — its env: header, its credential pool, its chat, gift and search templates,
its promises — with only the URLs pointed at servers nobody here wrote or that share nothing
with the reference platform: ffmpeg's live HLS behind stock nginx, nginx's Nchan module for
chat, the foreign tipping API for gifts and search."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import ROOT, livefire, report_of
from tests.integration.nchan_chat import nchan_chat
from tests.integration.test_foreign_hls_distributed import live_hls  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e
EXAMPLE = ROOT / "examples" / "staging"
TOKEN = "starting-point-5e1f"


@pytest.fixture
def tips(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The foreign tipping API, wanting the bearer the scenario takes from STAGING_API_KEY."""
    monkeypatch.setenv("STAGING_API_KEY", f"Bearer {TOKEN}")
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "integration" / "foreign_gifts_api.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "FOREIGN_TOKEN": TOKEN},
    )
    assert server.stdout is not None and server.stdin is not None
    try:
        yield f"http://127.0.0.1:{server.stdout.readline().split()[1]}"
    finally:
        server.stdin.close()
        server.wait(timeout=10)


def test_the_staging_starting_point_plays_as_written(
    tmp_path: Path,
    live_hls: str,  # noqa: F811 (the fixture imported above)
    tips: str,
) -> None:
    scenario: dict[str, Any] = yaml.safe_load((EXAMPLE / "staging.yaml").read_text())
    with nchan_chat(tmp_path / "nchan") as chat:
        staging = scenario["target"]["staging"]
        staging.update(hls=live_hls, chat=[chat], gifts=tips, discovery=tips)
        scenario["duration"] = "30s"
        scenario["load"]["shape"] = [{"ramp": "3s", "to": 1.0}, {"hold": "27s"}]
        scenario["load"]["spawn_jitter"] = "1s"
        shutil.copy(EXAMPLE / "users.csv", tmp_path / "users.csv")
        path = tmp_path / "staging.yaml"
        path.write_text(yaml.safe_dump(scenario, sort_keys=False))
        run_dir = tmp_path / "run"
        proc = livefire("run", str(path), "--run-dir", str(run_dir))
        out, _ = proc.communicate(timeout=240)
    report = report_of(run_dir)
    assert proc.returncode == 0 and report["result"] == "pass", out
    judged = {c["promise"] for c in report["checks"] if c["passed"]}
    assert {
        "stream_latency_p95",
        "chat_loss",
        "chat_delivered_within_100ms",
        "gift_success",
        "gifts_lost",
        "search_success",
    } <= judged, out
    written = "".join(p.read_text(errors="replace") for p in run_dir.rglob("*") if p.is_file())
    assert TOKEN not in written and TOKEN not in out  # the env: secret stayed a reference
