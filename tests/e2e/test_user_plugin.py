"""A user kind from a plugin (`livefire.users`) plays a staging game day beside nothing of
livefire's own kinds: what it records is judged by the same SLIs — its promise holds against a
healthy endpoint and breaks, named, against one that fails."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import livefire, report_of
from tests.http_serving import serving
from tests.protocol_plugin import install_users

pytestmark = pytest.mark.e2e


class Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def health() -> Iterator[tuple[str, type[Health]]]:
    handler = type("H", (Health,), {"status": 200})
    with serving(handler) as url:
        yield url, handler


def scenario(path: Path, url: str, kind: str) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "name": path.stem,
                "duration": "15s",
                "target": {"staging": {"discovery": url}},
                "load": {"users": {kind: 4}, "shape": [{"ramp": "1s", "to": 1.0}]},
                "slos": {"search_success": "99%", "search_latency_p95": "500ms"},
            }
        )
    )
    return path


def test_a_plugin_user_kind_is_played_and_judged(
    tmp_path: Path, health: tuple[str, type[Health]]
) -> None:
    url, handler = health
    kind = f"poller-{tmp_path.name}"
    site = install_users(tmp_path / "site", {kind: "Poller"})
    path = scenario(tmp_path / "poll.yaml", url, kind)
    proc = livefire("run", str(path), "--run-dir", str(tmp_path / "a"), path=(site,))
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 0, out
    passed = {c["promise"] for c in report_of(tmp_path / "a")["checks"] if c["passed"]}
    assert "search_success" in passed, out

    handler.status = 503
    proc = livefire("run", str(path), "--run-dir", str(tmp_path / "b"), path=(site,))
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 1, out
    broken = {c["promise"] for c in report_of(tmp_path / "b")["checks"] if not c["passed"]}
    assert broken == {"search_success"}, out


def test_a_user_kind_that_is_not_a_livefire_user_is_refused_on_its_line(tmp_path: Path) -> None:
    kind = f"odd-{tmp_path.name}"
    site = install_users(tmp_path / "site", {kind: "NotAUser"})
    path = scenario(tmp_path / "odd.yaml", "http://127.0.0.1:9", kind)
    proc = livefire("run", str(path), "--dry-run", path=(site,))
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 2, out
    assert f"odd.yaml:7: load.users.{kind}: user plugin '{kind}'" in out, out
    assert "NotAUser is not a subclass of loadgen.users.LivefireUser" in out, out
    proc = livefire("run", str(scenario(tmp_path / "none.yaml", "http://x", "nobody")), "--dry-run")
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "load.users.nobody: no user kind 'nobody'" in out, out
