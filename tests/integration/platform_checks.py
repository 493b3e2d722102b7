"""What the platform tests ask of a running platform: playlists, owners, routes."""

from __future__ import annotations

import time
from typing import Any

import m3u8
import requests

from tests.integration.conftest import http, wait_for

RENDITION = "240p"


def media_url(description: dict[str, Any], region: str, stream: str = "live1") -> str:
    return f"{description['edges'][region]}/live/{stream}/{RENDITION}/index.m3u8"


def playlist(url: str) -> m3u8.M3U8:
    response = requests.get(url, timeout=5)
    assert response.status_code == 200, (url, response.status_code, response.text)
    return m3u8.loads(response.text, uri=url)


def last_seq(url: str) -> int:
    parsed = playlist(url)
    return parsed.media_sequence + len(parsed.segments) - 1


def owner(description: dict[str, Any], stream: str = "live1") -> str:
    """The transcoder node that encodes `stream` now (asked of every node)."""

    def ask() -> str | None:
        for name, info in description["components"].items():
            if not name.startswith("transcoder-"):
                continue
            try:
                owned = requests.get(info["url"] + "/streams", timeout=2).json()["owned"]
            except requests.RequestException:
                continue  # a killed node
            if stream in owned:
                return str(name)
        return None

    return str(wait_for(ask, 10, f"an owner of {stream}"))


def route(description: dict[str, Any], region: str) -> dict[str, Any]:
    status, body = http("GET", f"{description['router']}/route?region={region}&stream=live1")
    assert status == 200, body
    return dict(body)


def set_proxy(description: dict[str, Any], name: str, enabled: bool) -> None:
    status, body = http("POST", f"{description['proxy_api']}/proxies/{name}", {"enabled": enabled})
    assert status == 200, body


def seqs_after(url: str, seconds: float) -> list[int]:
    """Every media sequence number listed at `url` over the next `seconds`."""
    seen: set[int] = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            parsed = playlist(url)
            seen.update(parsed.media_sequence + i for i in range(len(parsed.segments)))
        except (AssertionError, requests.RequestException):
            pass
        time.sleep(0.25)
    return sorted(seen)
