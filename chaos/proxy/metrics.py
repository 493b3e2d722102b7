"""Prometheus metrics: bytes received and sent per proxy and direction.

Links count bytes in plain ints (no lock, no call per chunk on the fast path); this collector
reads them when `/metrics` is scraped. Names and labels follow Toxiproxy's.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from chaos.proxy.collection import ProxyCollection
from chaos.proxy.spec import Stream

LABELS = ["direction", "proxy", "listener", "upstream"]


class ProxyBytesCollector(Collector):
    """Byte counters of every proxy the collection holds at scrape time."""

    def __init__(self, collection: ProxyCollection) -> None:
        self.collection = collection

    def collect(self) -> Iterator[CounterMetricFamily]:
        received = CounterMetricFamily(
            "toxiproxy_proxy_received_bytes",
            "Bytes read from the source, per direction",
            labels=LABELS,
        )
        sent = CounterMetricFamily(
            "toxiproxy_proxy_sent_bytes", "Bytes written to the sink, per direction", labels=LABELS
        )
        for proxy in self.collection.proxies.values():
            for stream in Stream:
                labels = [stream.label, proxy.name, proxy.listen, proxy.upstream]
                received.add_metric(labels, proxy.stats[stream][0])
                sent.add_metric(labels, proxy.stats[stream][1])
        yield received
        yield sent


def build_registry(collection: ProxyCollection) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(ProxyBytesCollector(collection))
    return registry
