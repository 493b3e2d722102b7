"""What the conductor tells the load generator, as one JSON document.

It travels as the value of Locust's `--livefire-config` option, which the master forwards to
every worker, so a worker on another machine needs no shared file system.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class LoadConfig:
    run_dir: str  # where the master writes telemetry
    duration: float  # seconds of load, after which the shape ends the test
    users: dict[str, int]  # user kind → count at full load
    shape: list[dict[str, float]]  # [{"ramp": s, "to": f} | {"hold": s}], fractions of `users`
    spawn_jitter: float = 5.0  # users start at random offsets within this many seconds
    master_urls: dict[str, list[str]] = field(default_factory=dict)  # region → master playlists
    region_shares: dict[str, float] = field(default_factory=dict)  # region → share of viewers
    streams: list[str] = field(default_factory=list)  # live stream names (= chat rooms)
    router: str | None = None  # GSLB base URL: viewers ask it for an edge, and again on failure
    decode_sample: float = 0.0  # share of downloaded segments decoded with PyAV and checked
    max_stall: float = 8.0  # a stall longer than this means the stream was not preserved
    quality_target: int | None = None  # lowest rendition height that still holds quality
    max_schedule_lag_p99: float = 0.05  # a worker's second with a lag p99 above: unreliable
    max_event_loop_stall: float = 0.25  # a worker's second with a hub stall above: unreliable
    chat_urls: list[str] = field(default_factory=list)  # chat node WebSocket URLs
    chat_interval: float = 2.0  # seconds between one chatter's messages
    gifts_url: str | None = None  # gift API base URL
    discovery_url: str | None = None  # discovery base URL (GET /search?q=)
    origin_url: str | None = None  # where creators ask `GET /ingest-route?stream=`
    search_interval: float = 1.0  # seconds between one searcher's searches
    creator_protocol: str = "http"  # "http" (origin's ingest route) or "rtmp" (creator_url)
    creator_url: str | None = None  # RTMP push template with {stream}
    gift_interval: float = 2.0  # seconds between one gifter's gifts
    gift_timeout: float = 5.0  # a gift not acknowledged this long after its first POST failed
    seed: int = 0
    # staging reach (livefire.base.connect forms; secrets stay env:/file: references)
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)  # endpoint → settings
    identities: dict[str, Any] | None = None  # credential pool and login
    workers: int = 1  # worker processes in the run: credential pool rows are dealt across them
    protocols: dict[str, dict[str, Any]] = field(default_factory=dict)  # role → template

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> LoadConfig:
        return cls(**json.loads(text))
