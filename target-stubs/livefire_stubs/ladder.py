"""ABR ladders: the documented production ladder, and a scaled-down one that 2 cores hold
in real time next to the load generator."""

from __future__ import annotations

from livefire_stubs.hls import Rendition

FULL = (
    Rendition("1080p60", 6_000_000, 1920, 1080, 60),
    Rendition("720p60", 3_000_000, 1280, 720, 60),
    Rendition("480p30", 1_500_000, 854, 480, 30),
    Rendition("360p30", 800_000, 640, 360, 30),
    Rendition("240p30", 400_000, 426, 240, 30),
)

# Same shape (bitrate ratios, one keyframe per segment), a fraction of the pixels and frames.
DEFAULT = (
    Rendition("240p", 400_000, 426, 240, 15),
    Rendition("144p", 150_000, 256, 144, 15),
)

LADDERS = {"default": DEFAULT, "full": FULL}
