"""Stage stamps: when a segment was captured, muxed, available at the origin and cached at the
edge, carried on the segment's responses so a viewer can split its latency into stages.

Wire form, one response header that each hop appends to (as `Via` is):

    X-Stage-Times: captured=1733250000.000000,muxed=1733250000.041210,origin=...,edge=...

Each value is epoch seconds. `captured`: the segment was complete at the camera (its
program-date-time + its duration); `muxed`: the transcoder finished the segment;
`origin`: the origin stored it (playable from then on); `edge`: an edge cached it (several
`edge` stamps: a tier of edges each added one; the last, nearest the viewer, counts). The
viewer's last byte closes the last stage. The reference platform emits it; a platform that
does not sends no header and no stage is recorded.

Pure: the platform formats stamps with `append`, the viewer turns one header value and its
arrival time into stage durations with `durations`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

HEADER = "X-Stage-Times"
HEADER_KEY = HEADER.lower()  # as the viewer's lower-cased response headers name it
STAMPS = ("captured", "muxed", "origin", "edge")  # in the order a segment passes them
ARRIVED = "arrived"  # the viewer's last byte: not a stamp on the wire


@dataclass(frozen=True)
class Stage:
    """One measured stage: the stamps that bound it and the documented budget it answers to."""

    name: str  # telemetry histogram and report key
    start: str  # stamp that opens it
    end: str  # stamp (or ARRIVED) that closes it
    documented: str  # the documented stage(s) it is compared with
    budget_ms: float | None  # documented budget; None: a detail of a budgeted stage


STAGES = (
    Stage("stage_ingest_transcoding", "captured", "muxed", "ingest 30 + transcoding 80", 110.0),
    Stage("stage_edge", "muxed", "edge", "edge 40", 40.0),
    Stage("stage_last_mile", "edge", ARRIVED, "last mile 50", 50.0),
    Stage("stage_origin_publish", "muxed", "origin", "part of edge 40", None),
    Stage("stage_total", "captured", ARRIVED, "glass-to-glass 200", 200.0),
)
BUDGETED = tuple(s for s in STAGES if s.budget_ms is not None and s.name != "stage_total")
DOCUMENTED_TOTAL_MS = 200.0


def append(value: str | None, stamp: str, at: float) -> str:
    """`value` (a received X-Stage-Times, or None) with one more stamp at epoch `at`."""
    item = f"{stamp}={at:.6f}"
    return f"{value},{item}" if value else item


def parse(value: str) -> dict[str, float]:
    """Stamp name → epoch seconds; unknown names and malformed items are skipped (a platform
    may add its own); a repeated stamp keeps its last value (the edge nearest the viewer)."""
    stamps: dict[str, float] = {}
    for item in value.split(","):
        name, _, text = item.partition("=")
        name = name.strip()
        if name not in STAMPS:
            continue
        try:
            stamps[name] = float(text)
        except ValueError:
            continue
    return stamps


def durations(value: str, arrived: float) -> dict[str, float] | None:
    """Each stage whose two ends are known, in seconds, from one header value and the time
    the viewer had the segment's last byte; None when the stamps run backwards (clocks that
    disagree, or a platform stamping wrongly): then no stage of the segment can be trusted."""
    stamps = parse(value)
    if not stamps:
        return {}
    stamps[ARRIVED] = arrived
    known = [stamps[name] for name in (*STAMPS, ARRIVED) if name in stamps]
    if any(later < earlier for earlier, later in pairwise(known)):
        return None
    return {
        stage.name: stamps[stage.end] - stamps[stage.start]
        for stage in STAGES
        if stage.start in stamps and stage.end in stamps
    }
