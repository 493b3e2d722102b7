"""A staging game day on a chat server nobody here wrote (nginx's Nchan module) through the
chat template, with the link behind livefire's fault proxy: healthy, the delivery promise
holds; with a latency toxic on the link (the relay delaying messages), the same scenario fails
naming `chat_delivered_within_100ms`, and the toxic is gone afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from chaos.proxy import ProxyServerThread
from chaos.proxy.spec import ProxySpec
from livefire.base.processes import free_port
from tests.e2e.conftest import livefire, report_of
from tests.integration.nchan_chat import TEMPLATE, nchan_chat

pytestmark = pytest.mark.e2e


@pytest.fixture
def proxied_chat(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(the chat URL through the proxy, the proxy API)."""
    with nchan_chat(tmp_path / "nchan") as base:
        listen = f"127.0.0.1:{free_port()}"
        upstream = base.removeprefix("ws://")
        with ProxyServerThread(proxies=[ProxySpec("chat", listen, upstream)]) as proxy:
            yield f"ws://{listen}", proxy.url


def scenario(path: Path, chat: str, api: str, faults: list[dict[str, Any]]) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "name": path.stem,
                "duration": "25s",
                "target": {
                    "staging": {
                        "chat": [chat],
                        "streams": ["lobby"],
                        "proxy_api": api,
                        "targets": {"chat-link": {"proxy": "chat"}},
                        "protocols": {"chat": TEMPLATE},
                    }
                },
                "load": {
                    "users": {"chatter": 6},
                    "shape": [{"ramp": "2s", "to": 1.0}],
                    "chat_interval": "500ms",
                    "workers": 1,
                },
                "faults": faults,
                "slos": {"chat_loss": "1%", "chat_delivered_within_100ms": "95%"},
            }
        )
    )
    return path


def play(path: Path, run_dir: Path) -> tuple[int, str, dict[str, Any]]:
    proc = livefire("run", str(path), "--run-dir", str(run_dir))
    out, _ = proc.communicate(timeout=240)
    return proc.returncode, out, report_of(run_dir)


def test_a_foreign_chat_relay_keeps_its_promise_and_a_slow_one_breaks_it(
    tmp_path: Path, proxied_chat: tuple[str, str]
) -> None:
    chat, api = proxied_chat
    code, out, report = play(scenario(tmp_path / "healthy.yaml", chat, api, []), tmp_path / "a")
    assert code == 0, out
    passed = {c["promise"] for c in report["checks"] if c["passed"]}
    assert {"chat_loss", "chat_delivered_within_100ms"} <= passed, out

    delay = {
        "at": "3s",
        "fault": "proxy-toxic",
        "target": "chat-link",
        "for": "20s",
        "params": {"type": "latency", "attributes": {"latency": 250}},
    }
    slow = scenario(tmp_path / "slow.yaml", chat, api, [delay])
    code, out, report = play(slow, tmp_path / "b")
    assert code == 1, out
    broken = {c["promise"] for c in report["checks"] if not c["passed"]}
    assert "chat_delivered_within_100ms" in broken, out
    assert "chat_loss" not in broken, out  # late, not lost
    assert requests.get(f"{api}/proxies/chat/toxics", timeout=5).json() == []
