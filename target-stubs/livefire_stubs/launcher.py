"""Start and stop the embedded platform; the same launcher serves `livefire run` and
`livefire stubs up`.

Order: fault proxy, origin, the origin links through the proxy, the edges behind their own
proxies, then the transcoder, so every component finds its upstream already listening.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from livefire.errors import SetupError
from livefire.processes import ProcessGroup
from livefire_stubs.topology import REGION_SHARES, Topology

PY = sys.executable


@dataclass
class Platform:
    """A running embedded platform: its endpoints and the processes behind them."""

    topology: Topology
    processes: ProcessGroup
    proxy_api: str = ""
    origin: str = ""
    edges: dict[str, str] = field(default_factory=dict)  # region → URL through its fault proxy
    components: dict[str, dict[str, Any]] = field(default_factory=dict)

    def master_urls(self) -> dict[str, list[str]]:
        """Each live stream's master playlist through each region's edge."""
        return {
            region: [f"{url}/live/{s}/master.m3u8" for s in self.topology.streams]
            for region, url in self.edges.items()
        }

    def describe(self) -> dict[str, Any]:
        """Every endpoint, as `livefire stubs status --json` prints it."""
        return {
            "proxy_api": self.proxy_api,
            "origin": self.origin,
            "edges": self.edges,
            "streams": list(self.topology.streams),
            "master_playlists": self.master_urls(),
            "region_shares": {r: REGION_SHARES.get(r, 0.0) for r in self.topology.regions},
            "fault_targets": {t: {"proxy": t} for t in self.topology.fault_targets()},
            "components": self.components,
        }

    def stop(self) -> None:
        self.processes.stop_all()


def start_platform(run_dir: Path, topology: Topology, sabotage: tuple[str, ...] = ()) -> Platform:
    """Start every component; on any failure stop what was started and raise SetupError."""
    platform = Platform(topology, ProcessGroup(run_dir))
    try:
        _start(platform)
    except BaseException:
        platform.stop()
        raise
    return platform


def _spawn(platform: Platform, name: str, module: str, *args: str) -> dict[str, Any]:
    child = platform.processes.spawn(name, [PY, "-m", module, "--name", name, *args])
    platform.components[name] = child.ready
    return child.ready


def _start(platform: Platform) -> None:
    proxy = platform.processes.spawn(
        "proxy", [PY, "-m", "livefire", "proxy", "serve", "--port", "0"]
    )
    platform.proxy_api = proxy.ready["url"]
    platform.components["proxy"] = proxy.ready
    platform.origin = _spawn(platform, "origin", "livefire_stubs.origin")["url"]
    for region in platform.topology.regions:
        origin_link = _proxy(platform, f"origin-{region}", platform.origin)
        edge = _spawn(
            platform,
            f"edge-{region}-node",
            "livefire_stubs.edge",
            "--origin",
            origin_link,
            "--region",
            region,
        )
        platform.edges[region] = _proxy(platform, f"edge-{region}", edge["url"])
    _spawn(
        platform,
        "transcoder-1",
        "livefire_stubs.transcoder",
        "--origin",
        platform.origin,
        "--streams",
        ",".join(platform.topology.streams),
        "--ladder",
        platform.topology.ladder,
    )
    _wait_live(platform)


def _proxy(platform: Platform, name: str, upstream_url: str) -> str:
    """Create a fault proxy in front of `upstream_url`; return the URL through it."""
    upstream = upstream_url.removeprefix("http://")
    body = {"name": name, "listen": "127.0.0.1:0", "upstream": upstream, "enabled": True}
    response = requests.post(f"{platform.proxy_api}/proxies", json=body, timeout=5)
    if response.status_code != 201:
        raise SetupError(f"proxy {name}: HTTP {response.status_code}: {response.text}")
    return f"http://{response.json()['listen']}"


def _wait_live(platform: Platform, timeout: float = 20.0) -> None:
    """Wait until every stream's first segment is listed through every edge."""
    deadline = time.monotonic() + timeout
    pending = [url for urls in platform.master_urls().values() for url in urls]
    while pending and time.monotonic() < deadline:
        if _has_segments(pending[0]):
            pending.pop(0)
        else:
            time.sleep(0.2)
    if pending:
        raise SetupError(f"no live segments reached {pending[0]} within {timeout:g} s")


def _has_segments(master_url: str) -> bool:
    try:
        master = requests.get(master_url, timeout=2)
        variants = [line for line in master.text.splitlines() if line and line[0] != "#"]
        if not (master.ok and variants):
            return False
        media = requests.get(master_url.rsplit("/", 1)[0] + "/" + variants[0], timeout=2)
        return media.ok and "#EXTINF" in media.text
    except requests.RequestException:
        return False
