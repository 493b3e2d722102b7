"""The fault catalog: one named fault per module, each registering itself in `FAULTS`."""

from chaos.faults import cdn_region_blackhole, edge_latency  # noqa: F401
