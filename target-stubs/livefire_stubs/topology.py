"""The shape of an embedded platform: which components, how many, in which regions, and
which links run through a fault proxy.

A topology is a YAML file (format: `topologies/default.yaml`, every key documented there and
optional). `TOPOLOGIES[name]` loads a shipped topology by name or any YAML file by path, so
`target.embedded.topology` and `livefire stubs up --topology` take either. Unknown keys are
refused with a suggestion, at the door.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from livefire.base.errors import SetupError
from livefire.base.registry import suggest

# Share of viewers per region, from the capacity model (DESIGN.md).
REGION_SHARES = {"apac": 0.50, "na": 0.24, "eu": 0.16, "other": 0.10}
SHIPPED = Path(__file__).with_name("topologies")
LINKS = ("viewer-edge", "edge-origin", "worker-payments", "transcoder-origin", "redis")
REDIS_PROXIES = ("redis-primary", "redis-replica")  # one per server, named by role at start


@dataclass(frozen=True)
class Topology:
    regions: tuple[str, ...] = tuple(REGION_SHARES)  # also the router's fallback order
    streams: tuple[str, ...] = ("live1",)
    ladder: str = "default"
    transcoders: int = 2  # nodes sharing the streams through Redis leases
    lease_ms: int = 3000  # how long a dead owner keeps its streams
    chat_nodes: int = 2
    gift_workers: int = 1
    router_check_interval: float = 0.5
    router_fail_after: int = 3
    links: frozenset[str] = field(default_factory=lambda: frozenset(LINKS))  # proxied links

    def with_streams(self, count: int) -> Topology:
        return replace(self, streams=tuple(f"live{i + 1}" for i in range(count)))

    def transcoder_names(self) -> tuple[str, ...]:
        return tuple(f"transcoder-{i + 1}" for i in range(self.transcoders))

    def proxies(self) -> tuple[str, ...]:
        """Every fault proxy this topology creates, by name."""
        names: list[str] = []
        if "viewer-edge" in self.links:
            names += [f"edge-{r}" for r in self.regions]
        if "edge-origin" in self.links:
            names += [f"origin-{r}" for r in self.regions]
        if "worker-payments" in self.links:
            names.append("payments")
        if "transcoder-origin" in self.links:
            names += [f"ingest-{t}" for t in self.transcoder_names()]
        if "redis" in self.links:
            names += REDIS_PROXIES
        return tuple(names)

    def processes(self) -> tuple[str, ...]:
        """Every component process a fault may kill or pause, by name."""
        names = ["origin", "router", "discovery", "gifts-api", "payment"]
        names += [f"edge-{r}-node" for r in self.regions]
        names += list(self.transcoder_names())
        names += [f"chat-{i + 1}" for i in range(self.chat_nodes)]
        names += [f"gifts-worker-{i + 1}" for i in range(self.gift_workers)]
        return tuple(names)

    def fault_targets(self) -> tuple[str, ...]:
        """Names a scenario may aim a fault at: proxies, processes, and Redis."""
        redis = ("redis", *REDIS_PROXIES)
        return tuple(dict.fromkeys(self.proxies() + self.processes() + redis))

    def target_kinds(self) -> dict[str, set[str]]:
        """What kind of fault each fault target takes: decided here, once. The scenario is
        checked against it before anything starts, and the running platform's description
        declares exactly these (`description.fault_targets`)."""
        kinds: dict[str, set[str]] = {name: {"proxy"} for name in self.proxies()}
        kinds.update({name: {"process"} for name in self.processes()})
        for name in REDIS_PROXIES:  # a proxy too, if the topology has it
            kinds[name] = kinds.get(name, set()) | {"process"}
        kinds["redis"] = {"redis", "process"}
        return {name: kinds.get(name, set()) for name in self.fault_targets()}


_KEYS = {
    "regions",
    "streams",
    "ladder",
    "transcoders",
    "lease_ms",
    "chat_nodes",
    "gift_workers",
    "router",
    "links",
}


def parse_topology(raw: Any, source: str) -> Topology:
    """A YAML document → Topology; SetupError naming the file, key and a suggestion."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise SetupError(f"{source}: expected a mapping of topology keys")
    for key in raw:
        if key not in _KEYS:
            raise SetupError(f"{source}: unknown key '{key}'{suggest(str(key), _KEYS)}")
    try:
        return _build(raw)
    except (TypeError, ValueError) as exc:
        raise SetupError(f"{source}: {exc}") from None


def _build(raw: dict[str, Any]) -> Topology:
    from livefire_stubs.ladder import LADDERS

    base = Topology()
    regions = tuple(str(r) for r in raw.get("regions", base.regions))
    if not regions or len(set(regions)) != len(regions):
        raise ValueError(f"regions: expected distinct region names, got {list(regions)}")
    ladder = str(raw.get("ladder", base.ladder))
    if ladder not in LADDERS:
        raise ValueError(f"ladder: expected one of {sorted(LADDERS)}, got {ladder!r}")
    counts = {}
    for key, low in (("transcoders", 1), ("chat_nodes", 1), ("gift_workers", 1), ("lease_ms", 300)):
        value = raw.get(key, getattr(base, key))
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{key}: expected an integer >= {low}, got {value!r}")
        counts[key] = value
    router = raw.get("router") or {}
    links = raw.get("links") or {}
    unknown = set(links) - set(LINKS)
    if unknown:
        raise ValueError(f"links: unknown {sorted(unknown)}; known: {list(LINKS)}")
    topology = replace(
        base,
        regions=regions,
        ladder=ladder,
        router_check_interval=float(router.get("check_interval", base.router_check_interval)),
        router_fail_after=int(router.get("fail_after", base.router_fail_after)),
        links=frozenset(k for k in LINKS if links.get(k, True)),
        transcoders=counts["transcoders"],
        chat_nodes=counts["chat_nodes"],
        gift_workers=counts["gift_workers"],
        lease_ms=counts["lease_ms"],
    )
    return topology.with_streams(int(raw.get("streams", 1)))


def load_topology(name_or_path: str | Path) -> Topology:
    """A shipped topology by name, or a YAML file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = SHIPPED / f"{name_or_path}.yaml"
    try:
        text = path.read_text()
    except OSError as exc:
        known = ", ".join(sorted(TOPOLOGIES))
        raise SetupError(f"topology {name_or_path}: {exc.strerror}; shipped: {known}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SetupError(f"{path}: not YAML: {exc}") from None
    return parse_topology(raw, str(path))


class _Topologies(Mapping[str, Topology]):
    """Shipped topologies by name; any existing YAML path is a key too."""

    def _exists(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        path = Path(key)
        return (SHIPPED / f"{key}.yaml").is_file() or (bool(path.suffix) and path.is_file())

    def __contains__(self, key: object) -> bool:
        return self._exists(key)

    def __getitem__(self, key: str) -> Topology:
        if not self._exists(key):
            raise KeyError(key)
        return load_topology(key)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(p.stem for p in SHIPPED.glob("*.yaml")))

    def __len__(self) -> int:
        return len(list(iter(self)))


TOPOLOGIES: Mapping[str, Topology] = _Topologies()
