"""Live Prometheus metrics of a run while it goes (`livefire run --metrics-port N`): scrape the
game day next to the platform's own dashboards."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, start_http_server

from livefire.conductor import Tick


class LiveMetrics:
    def __init__(self, scenario: str, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        labels = ["scenario"]
        self.elapsed = Gauge(
            "livefire_run_elapsed_seconds",
            "seconds since load started",
            labels,
            registry=self.registry,
        ).labels(scenario)
        self.faults = Gauge(
            "livefire_active_faults", "faults in effect now", labels, registry=self.registry
        ).labels(scenario)
        self.latency = Gauge(
            "livefire_stream_latency_p95_seconds",
            "stream latency p95 over the last settled seconds",
            labels,
            registry=self.registry,
        ).labels(scenario)
        self.errors = Gauge(
            "livefire_viewer_error_ratio",
            "viewer error rate over the last settled seconds",
            labels,
            registry=self.registry,
        ).labels(scenario)

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        start_http_server(port, addr=host, registry=self.registry)

    def update(self, tick: Tick) -> None:
        self.elapsed.set(tick.elapsed)
        self.faults.set(len(tick.active_faults))
        if tick.latency_p95 is not None:
            self.latency.set(tick.latency_p95)
        if tick.error_rate is not None:
            self.errors.set(tick.error_rate)
