"""origin-brownout: the origin is slow, starved and choppy but not down — the partial
failure that stalls players without tripping health checks. Latency, a bandwidth cap and
a slicer (small delayed chunks) on the origin link, as one fault."""

from __future__ import annotations

from pydantic import Field

from chaos.drivers.composite import AllOf
from chaos.faults._links import toxic
from chaos.model import FAULTS, FaultType, Params, TargetRef


class OriginBrownout(Params):
    latency_ms: int = Field(default=200, ge=0, le=60_000)
    jitter_ms: int = Field(default=100, ge=0, le=60_000)
    rate_kbps: int = Field(default=2_000, ge=1)  # KB/s, as Toxiproxy's bandwidth toxic counts
    slice_bytes: int = Field(default=1_024, ge=1)  # average chunk size
    slice_delay_us: int = Field(default=5_000, ge=0)  # between chunks
    toxicity: float = Field(default=1.0, ge=0.0, le=1.0)


def build(target: TargetRef, params: OriginBrownout, fault_id: str) -> AllOf:
    slicer = {"average_size": params.slice_bytes, "size_variation": params.slice_bytes // 2}
    parts = [
        ("latency", {"latency": params.latency_ms, "jitter": params.jitter_ms}),
        ("bandwidth", {"rate": params.rate_kbps}),
        ("slicer", {**slicer, "delay": params.slice_delay_us}),
    ]
    return AllOf(
        [
            toxic(target, fault_id, kind, attrs, "downstream", params.toxicity, part=kind)
            for kind, attrs in parts
        ]
    )


FAULTS.add(
    "origin-brownout",
    FaultType(
        "origin-brownout",
        "the origin link slows down: latency, bandwidth cap and slicing together",
        False,
        OriginBrownout,
        build,
        "proxy",
    ),
)
