"""What a running platform says about itself: `Platform.describe()`, a
`livefire.base.description.TargetDescription`, printed by `livefire stubs status --json`, kept
in the conductor's report and read by `chaos.targets.resolve_targets`. Its JSON form:

    {
      "run_dir": "/abs/runs/stubs",
      "proxy_api": "http://127.0.0.1:P",          # the fault proxy's Toxiproxy API
      "proxy_token_env": "LIVEFIRE_PROXY_TOKEN",  # if set when it started: the proxy needs it
      "origin": "http://127.0.0.1:P",             # direct (not proxied)
      "router": "http://127.0.0.1:P",             # GET /route?region=&stream=, GET /regions
      "edges": {"apac": "http://127.0.0.1:P", ...},   # what viewers use: through edge-<region>
      "chat": ["ws://127.0.0.1:P", ...],          # one per chat node
      "gifts": "http://...", "ledger": "http://.../ledger",
      "discovery": "http://...",                  # GET /search?q=live
      "payments": "http://...",                   # the payment stub, through proxy `payments`
      "streams": ["live1"], "sabotage": [...],
      "master_playlists": {"apac": ["http://.../live/live1/master.m3u8"], ...},
      "region_shares": {"apac": 0.5, ...},
      "proxies": {"edge-apac": "http://127.0.0.1:P", ...,   # proxy name → URL through it
                  "redis-primary": "redis://127.0.0.1:P", "redis-replica": "redis://..."},
      "redis": {"master_name", "sentinels": ["h:p"], "nodes": {"primary": {"addr" (through
                its proxy: what Sentinel names), "direct", "pid", "log"}, "replica": ...,
                "sentinel-0": ...}},
      "components": {NAME: {"name", "pid", "url", "log", "restart": [argv],
                            "ready_file" | "cmdline", ...ready extras}},
      "fault_targets": {                          # chaos.targets format
        "edge-apac": {"proxy": "edge-apac"},      # every proxy
        "transcoder-1": {"component": "transcoder-1"},   # every process
        "redis": {"redis": {"url", "replica_url", "sentinels", "master"},   # proxied URLs
                  "component": "redis-primary"},
        "redis-primary": {"proxy": "redis-primary", "component": "redis-primary"},
        "redis-replica": {"proxy": "redis-replica", "component": "redis-replica"}
      }

`redis-primary`/`redis-replica` name the servers by their roles at start (a failover swaps
the roles, not the names); the proxy way is there unless the topology turns `links.redis` off.
    }

Component names: proxy, origin, payment, edge-<region>-node, discovery, gifts-api,
gifts-worker-<n>, chat-<n>, router, transcoder-<n>, redis-primary, redis-replica,
redis-sentinel-<n>. A `restart` argv starts the process again at the same address (its port
pinned), carrying the run's marker so `Platform.stop()` stops it too. `ready_file` (rewritten
with the new pid by every start) or `cmdline` (Redis: its exact command line) lets a fault
find the process as it is now, not as it was at startup.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from livefire.base.description import PROXY_TOKEN_ENV, TargetDescription
from livefire.base.processes import MARKER

if TYPE_CHECKING:
    from livefire_stubs.launcher import Platform
    from livefire_stubs.redis_cluster import RedisCluster


def describe(platform: Platform) -> TargetDescription:
    return TargetDescription(
        run_dir=str(platform.run_dir),
        proxy_api=platform.proxy_api,
        proxy_token_env=PROXY_TOKEN_ENV if os.environ.get(PROXY_TOKEN_ENV) else None,
        origin=platform.origin,
        router=platform.router,
        edges=dict(platform.edges),
        chat=tuple(platform.chat),
        gifts=platform.gifts,
        ledger=f"{platform.gifts}/ledger" if platform.gifts else "",
        discovery=platform.discovery,
        payments=platform.payments,
        streams=tuple(platform.topology.streams),
        sabotage=tuple(platform.sabotage),
        master_playlists=platform.master_urls(),
        region_shares=platform.region_shares(),
        proxies=dict(platform.proxies),
        redis=platform.redis.info() if platform.redis else {},
        components={**platform.components, **redis_components(platform)},
        fault_targets=fault_targets(platform),
    )


def redis_components(platform: Platform) -> dict[str, dict[str, Any]]:
    """The Redis processes as components. A restart goes through `env MARKER=RUN_DIR` (the
    reverter's own environment may lack it), else `Platform.stop()` would never find it."""
    if platform.redis is None:
        return {}
    marker = f"{MARKER}={platform.run_dir}"
    return {
        f"redis-{node.name}": {
            "name": f"redis-{node.name}",
            "pid": node.pid,
            "addr": f"{node.addr[0]}:{node.addr[1]}",
            "log": str(node.log),
            "restart": ["env", marker, *platform.redis.restart_argv(node.name)],
            "cmdline": platform.redis.restart_argv(node.name),
        }
        for node in platform.redis.nodes.values()
    }


def fault_targets(platform: Platform) -> dict[str, dict[str, Any]]:
    """Every name a scenario may aim a fault at, in `chaos.targets.TargetDecl` form: each
    declares the kinds `Topology.target_kinds()` gives it, as far as they are running."""
    running = {**platform.components, **redis_components(platform)}
    targets: dict[str, dict[str, Any]] = {}
    for name, kinds in platform.topology.target_kinds().items():
        decl: dict[str, Any] = {}
        if "proxy" in kinds and name in platform.proxies:
            decl["proxy"] = name
        if "redis" in kinds and platform.redis is not None:
            decl["redis"] = redis_decl(platform.redis)
        component = "redis-primary" if name == "redis" else name  # Redis: its primary at start
        if "process" in kinds and component in running:
            decl["component"] = component
        if decl:
            targets[name] = decl
    return targets


def redis_decl(cluster: RedisCluster) -> dict[str, Any]:
    """The Redis target's URLs, through the proxies when the topology has them."""
    return {
        "url": "redis://{}:{}".format(*cluster.primary.addr),
        "replica_url": "redis://{}:{}".format(*cluster.replica.addr),
        "sentinels": [f"{h}:{p}" for h, p in cluster.sentinel_addrs],
        "master": cluster.master_name,
    }
