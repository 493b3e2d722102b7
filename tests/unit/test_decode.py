"""Segments from the reference encoder decode and match EXTINF; damaged ones are named."""

from livefire_stubs.encoder import SegmentEncoder
from livefire_stubs.hls import Rendition
from livefire_stubs.synthetic import TestPattern

from loadgen.decode import check_segment

RENDITION = Rendition("144p", 150_000, 256, 144, 15)


def segment(frames: int = 15) -> bytes:
    encoder = SegmentEncoder(RENDITION, frames)
    pattern = TestPattern(RENDITION.width, RENDITION.height)
    for i in range(frames):
        encoder.add(pattern.frame(i, 1_700_000_000_000 + i * 66), 30 + i)
    return encoder.finish()


def test_a_real_segment_is_valid_and_lasts_its_extinf() -> None:
    assert check_segment(segment(), 1.0) is None


def test_a_short_segment_is_caught() -> None:
    assert "EXTINF says 1.000" in (check_segment(segment(7), 1.0) or "")


def test_garbage_is_caught() -> None:
    assert check_segment(b"\x47" + b"\x00" * 1000, 1.0) is not None
