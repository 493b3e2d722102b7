"""What a target says about itself: one typed description, built by the embedded platform
(`Platform.describe()`) and by a staging scenario (`StagingTarget.description()`) alike, and
read through its fields by the fault resolver, the conductor and the report.

Its JSON form (`to_json`) is what `livefire stubs status --json` prints and the report keeps
under `target`; `fault_targets` is in `chaos.targets.TargetDecl` form and `components` maps a
process name to what a fault needs to find and restart it (see livefire_stubs.description).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

PROXY_TOKEN_ENV = "LIVEFIRE_PROXY_TOKEN"
"""Where the embedded fault proxy finds its API token, if it is to require one: the embedded
platform describes itself with this name, and every reverter reads the token from it."""


@dataclass(frozen=True)
class TargetDescription:
    run_dir: str = ""  # the embedded platform's run directory ("" for staging)
    proxy_api: str = ""  # the fault proxy's Toxiproxy-compatible API
    proxy_token_env: str | None = None  # env variable holding the proxy API's token
    origin: str | None = None  # direct origin (creators ask GET /ingest-route?stream=)
    router: str | None = None  # GET /route?region=&stream=, GET /regions
    edges: dict[str, str] = field(default_factory=dict)  # region → edge URL (through proxy)
    chat: tuple[str, ...] = ()  # chat WebSocket URLs, one per node
    gifts: str | None = None  # gift API base URL (POST /gifts)
    ledger: str | None = None  # GET ledger URL, for reconciliation
    discovery: str | None = None  # GET /search?q=
    payments: str | None = None  # the payment provider, as the gift workers reach it
    streams: tuple[str, ...] = ()  # stream names viewers may watch
    sabotage: tuple[str, ...] = ()  # negative-control sabotages the platform runs with
    master_playlists: dict[str, list[str]] = field(default_factory=dict)  # region → URLs
    region_shares: dict[str, float] = field(default_factory=dict)  # region → viewer share
    proxies: dict[str, str] = field(default_factory=dict)  # proxy name → URL through it
    redis: dict[str, Any] = field(default_factory=dict)  # master_name, sentinels, nodes
    components: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → process
    fault_targets: dict[str, Any] = field(default_factory=dict)  # name → TargetDecl form

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["chat"], data["streams"] = list(self.chat), list(self.streams)
        data["sabotage"] = list(self.sabotage)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TargetDescription:
        """From `to_json()`'s form; a key this version does not know is a ValueError."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown target description keys: {', '.join(unknown)}")
        values = {k: v for k, v in data.items() if v is not None}
        for name in ("chat", "streams", "sabotage"):
            if name in values:
                raw = values[name]
                values[name] = (raw,) if isinstance(raw, str) else tuple(raw)
        return cls(**values)
