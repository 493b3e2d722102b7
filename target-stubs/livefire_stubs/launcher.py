"""Start and stop the embedded platform; the same launcher serves `livefire run` and
`livefire stubs up`.

    platform = start_platform(run_dir, load_topology("default"), sabotage=("no-region-reroute",))
    platform.describe()      # every endpoint, process and fault target (format: `description`)
    platform.master_urls()   # {region: [master playlist URL through that region's edge]}
    platform.stop()          # every process stopped, including any a chaos revert restarted

Start order, in three waves so that independent components start in parallel and each one
finds its upstream already listening:

1. the fault proxy (created with the `redis-primary` and `redis-replica` proxies from a config
   file, RUN_DIR/redis-proxies.json), Redis (primary, replica in RUN_DIR/redis; the 3
   Sentinels once the proxy listens, as they monitor the proxied addresses), the origin, the
   payment stub;
2. the proxies (`origin-<region>`, `payments`, `ingest-transcoder-<n>`), then per region an
   edge behind its `edge-<region>` proxy, discovery, the gift API and workers (paying through
   `payments`), the chat nodes;
3. the router (health-checking the `edge-<region>` URLs viewers use, fallback in region order)
   and the transcoder nodes (publishing through their `ingest-*` proxies, leasing streams in
   Redis, registering them with discovery); then wait until every stream is live at every edge.

With LIVEFIRE_PROXY_TOKEN set, the fault proxy inherits it and requires it on every mutating
call: the launcher sends it when it creates proxies, and the description names the variable
(never the value), so faults and their reverters read it from the environment too.

Sabotage names are checked before anything starts and handed only to the components they
concern (`sabotage.CONCERNS`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

import livefire.base
import livefire_stubs
from livefire.base.description import PROXY_TOKEN_ENV, TargetDescription
from livefire.base.errors import SetupError
from livefire.base.processes import MARKER, Child, ProcessGroup, stragglers
from livefire_stubs.redis_cluster import ClusterError, RedisCluster
from livefire_stubs.sabotage import check_sabotages, sabotages_for
from livefire_stubs.topology import REGION_SHARES, Topology

PY = sys.executable
READY_TIMEOUT_S = 30.0


@dataclass
class Platform:
    """A running embedded platform: its endpoints and the processes behind them."""

    topology: Topology
    processes: ProcessGroup
    sabotage: tuple[str, ...] = ()
    redis: RedisCluster | None = None
    proxy_api: str = ""
    origin: str = ""
    edges: dict[str, str] = field(default_factory=dict)  # region → URL viewers use (proxied)
    router: str = ""
    chat: list[str] = field(default_factory=list)  # ws:// URL of each chat node
    gifts: str = ""
    discovery: str = ""
    payments: str = ""  # the payment stub as the worker reaches it (through `payments`)
    proxies: dict[str, str] = field(default_factory=dict)  # proxy name → URL through it
    components: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def run_dir(self) -> Path:
        return self.processes.run_dir

    def master_urls(self) -> dict[str, list[str]]:
        """Each live stream's master playlist through each region's edge."""
        return {
            region: [f"{url}/live/{s}/master.m3u8" for s in self.topology.streams]
            for region, url in self.edges.items()
        }

    def region_shares(self) -> dict[str, float]:
        return {r: REGION_SHARES.get(r, 0.0) for r in self.topology.regions}

    def describe(self) -> TargetDescription:
        """Every endpoint, process and fault target; see `livefire_stubs.description`."""
        from livefire_stubs.description import describe

        return describe(self)

    def stop(self) -> None:
        """Stop every process: ours newest first, Redis, then any a chaos revert restarted."""
        self.processes.stop_all()
        if self.redis is not None:
            self.redis.stop()
        _stop_stragglers(self.run_dir)


def start_platform(
    run_dir: Path, topology: Topology, sabotage: tuple[str, ...] | list[str] = ()
) -> Platform:
    """Start every component; on any failure stop what was started and raise SetupError."""
    try:
        names = check_sabotages(tuple(sabotage))
    except ValueError as exc:
        raise SetupError(str(exc)) from None
    run_dir = Path(run_dir).resolve()
    platform = Platform(topology, ProcessGroup(run_dir), names)
    try:
        _Wiring(platform).start()
    except ClusterError as exc:
        platform.stop()
        raise SetupError(f"redis: {exc}") from None
    except BaseException:
        platform.stop()
        raise
    return platform


def child_env(run_dir: Path) -> dict[str, str]:
    """What every component needs to import this very checkout of livefire and its stubs."""
    roots = [Path(livefire.base.__file__).parents[2], Path(livefire_stubs.__file__).parents[1]]
    path = os.pathsep.join(dict.fromkeys(str(r) for r in roots))
    extra = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": f"{path}{os.pathsep}{extra}" if extra else path, MARKER: str(run_dir)}


class _Wiring:
    """The start sequence of one platform (module docstring), one method per wave."""

    def __init__(self, platform: Platform) -> None:
        self.p = platform
        self.t = platform.topology
        self.env = child_env(platform.run_dir)

    def start(self) -> None:
        redis = self.p.redis = RedisCluster(self.p.run_dir, proxied="redis" in self.t.links)
        config = self.p.run_dir / "redis-proxies.json"  # a restarted proxy recreates them
        config.write_text(json.dumps(redis.proxy_specs()))
        serve = ["proxy", "serve", "--port", "0", "--config", str(config)]
        first = [self._launch("proxy", "livefire", *serve)]
        redis.launch_servers()
        first.append(self._launch("origin", "livefire_stubs.origin"))
        first.append(self._launch("payment", "livefire_stubs.gifts.payment"))
        proxy, origin, payment = (self._ready(c) for c in first)
        redis.launch_sentinels()
        self.p.proxy_api, self.p.origin = proxy["url"], origin["url"]
        for spec in redis.proxy_specs():
            self.p.proxies[spec["name"]] = f"redis://{spec['listen']}"
        redis.wait_ready(READY_TIMEOUT_S)
        self.p.payments = self._link("worker-payments", "payments", payment["url"])
        self._second_wave()
        self._third_wave()
        _wait_live(self.p)

    def _second_wave(self) -> None:
        sentinel = ["--sentinel", self._redis().sentinel_arg()]
        edges = {}
        for region in self.t.regions:
            upstream = self._link("edge-origin", f"origin-{region}", self.p.origin)
            name = f"edge-{region}-node"
            edges[region] = self._launch(
                name, "livefire_stubs.edge", "--origin", upstream, "--region", region
            )
        discovery = self._launch(
            "discovery",
            "livefire_stubs.discovery",
            *sentinel,
            *sabotages_for("discovery", self.p.sabotage),
        )
        api = self._launch(
            "gifts-api",
            "livefire_stubs.gifts.api",
            *sentinel,
            *sabotages_for("gifts-api", self.p.sabotage),
        )
        workers = [
            self._launch(
                f"gifts-worker-{i + 1}",
                "livefire_stubs.gifts.worker",
                *sentinel,
                "--payment-url",
                self.p.payments,
                *sabotages_for("gifts-worker", self.p.sabotage),
            )
            for i in range(self.t.gift_workers)
        ]
        chats = [
            self._launch(
                f"chat-{i + 1}",
                "livefire_stubs.chat",
                *sentinel,
                *sabotages_for("chat", self.p.sabotage),
            )
            for i in range(self.t.chat_nodes)
        ]
        for region, child in edges.items():
            url = self._ready(child)["url"]
            self.p.edges[region] = self._link("viewer-edge", f"edge-{region}", url)
        self.p.discovery = self._ready(discovery)["url"]
        self.p.gifts = self._ready(api)["url"]
        for child in workers:
            self._ready(child)
        self.p.chat = [self._ready(child)["ws_url"] for child in chats]

    def _third_wave(self) -> None:
        edges = ",".join(f"{r}={self.p.edges[r]}" for r in self.t.regions)
        router = self._launch(
            "router",
            "livefire_stubs.router",
            "--edges",
            edges,
            "--check-interval",
            str(self.t.router_check_interval),
            "--fail-after",
            str(self.t.router_fail_after),
            *sabotages_for("router", self.p.sabotage),
        )
        transcoders = []
        names = self.t.transcoder_names()
        for index, name in enumerate(names):
            origin = self._link("transcoder-origin", f"ingest-{name}", self.p.origin)
            transcoders.append(
                self._launch(
                    name,
                    "livefire_stubs.transcoder",
                    "--origin",
                    origin,
                    "--streams",
                    ",".join(self.t.streams),
                    "--ladder",
                    self.t.ladder,
                    "--node-index",
                    str(index),
                    "--nodes",
                    str(len(names)),
                    "--lease-ms",
                    str(self.t.lease_ms),
                    "--discovery",
                    self.p.discovery,
                    "--sentinel",
                    self._redis().sentinel_arg(),
                    *sabotages_for("transcoder", self.p.sabotage),
                )
            )
        self.p.router = self._ready(router)["url"]
        for child in transcoders:
            self._ready(child)

    def _redis(self) -> RedisCluster:
        assert self.p.redis is not None
        return self.p.redis

    def _launch(self, name: str, module: str, *args: str) -> Child:
        argv = [PY, "-m", module, *args]
        if module.startswith("livefire_stubs"):
            argv[3:3] = ["--name", name]
        return self.p.processes.launch(name, argv, env=self.env)

    def _ready(self, child: Child) -> dict[str, Any]:
        """Wait for `child`; record it with the argv that restarts it at the same address."""
        info = self.p.processes.wait_ready(child, READY_TIMEOUT_S)
        pinned = ["--port", info["url"].rsplit(":", 1)[1]]
        if "ws_url" in info:
            pinned += ["--ws-port", info["ws_url"].rsplit(":", 1)[1]]
        env = [f"{k}={v}" for k, v in self.env.items()]
        restart = ["env", *env, *child.argv, *pinned]
        ready_file = str(self.p.processes.ready_file(child.name))  # rewritten by a restart
        self.p.components[child.name] = {
            **info,
            "restart": restart,
            "log": str(child.log),
            "ready_file": ready_file,
        }
        return info

    def _link(self, link: str, name: str, upstream_url: str) -> str:
        """`upstream_url` through a new fault proxy `name`, or as is if `link` is not proxied."""
        if link not in self.t.links:
            return upstream_url
        upstream = upstream_url.removeprefix("http://")
        body: dict[str, Any] = {"name": name, "listen": "127.0.0.1:0", "upstream": upstream}
        body["enabled"] = True
        token = os.environ.get(PROXY_TOKEN_ENV)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = f"{self.p.proxy_api}/proxies"
        response = requests.post(url, json=body, headers=headers, timeout=5)
        if response.status_code != 201:
            raise SetupError(f"proxy {name}: HTTP {response.status_code}: {response.text}")
        self.p.proxies[name] = f"http://{response.json()['listen']}"
        return self.p.proxies[name]


def _wait_live(platform: Platform, timeout: float = 25.0) -> None:
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


def _stop_stragglers(run_dir: Path, timeout: float = 5.0) -> None:
    """SIGTERM, then SIGKILL, whatever still carries this run's marker (chaos restarts)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = _others(run_dir)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while pids and time.monotonic() < deadline:
            pids = _others(run_dir)
            time.sleep(0.05)
        if not pids:
            return


def _others(run_dir: Path) -> list[int]:
    return [pid for pid in stragglers(run_dir) if pid != os.getpid()]
