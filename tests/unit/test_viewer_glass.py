"""A decoding viewer reads the capture time from a real segment of the reference platform's
synthetic camera: glass-to-glass is last byte − (capture + duration), pdt_error is PDT −
capture, and a segment carrying no code is counted unreadable, never measured."""

from __future__ import annotations

from livefire_stubs.encoder import SegmentEncoder
from livefire_stubs.hls import Rendition
from livefire_stubs.synthetic import TestPattern

from livefire.base import telemetry as tm
from loadgen.playlist import MediaSegment
from loadgen.recorder import Recorder
from loadgen.viewer import ViewerSession

RENDITION = Rendition("144p", 150_000, 256, 144, 15)
CAPTURE_MS = 1_764_000_000_000


def segment(stamped: bool) -> bytes:
    encoder = SegmentEncoder(RENDITION, 15)
    pattern = TestPattern(RENDITION.width, RENDITION.height, "s0")
    for i in range(15):
        yuv = pattern.frame(i, CAPTURE_MS + i * 67)
        if not stamped:
            yuv[: RENDITION.height] = 128
        encoder.add(yuv, i)
    return encoder.finish()


def inspected(body: bytes, pdt: float) -> tm.Second:
    recorder = Recorder("w1")
    viewer = ViewerSession(None, recorder, "http://x/master.m3u8", decode_sample=1.0)  # type: ignore[arg-type]
    arrived = CAPTURE_MS / 1000 + 1.0 + 0.250  # complete at the camera + 250 ms
    seg = MediaSegment(seq=1, uri="http://x/1.ts", duration=1.0, pdt=pdt, discontinuity=False)
    viewer._inspect(body, seg, arrived, live=True)
    merged = tm.Second(0)
    for second in recorder.drain(final=True).seconds:  # decoded is counted at the wall clock
        merged.merge(second)
    return merged


def test_glass_to_glass_and_pdt_error_from_the_pixels() -> None:
    second = inspected(segment(True), pdt=CAPTURE_MS / 1000 + 0.040)  # PDT 40 ms late
    g2g = second.histograms[tm.GLASS_TO_GLASS]
    assert abs(g2g.get_max_value() / 1e6 - 0.250) < 0.001
    assert abs(second.histograms[tm.PDT_ERROR].get_max_value() / 1e6 - 0.040) < 0.001
    assert second.counters[tm.PDT_ERROR_SIGNED_MS] == 40
    assert (
        second.counters[tm.TIMECODES_READ] == 1 and tm.TIMECODES_UNREADABLE not in second.counters
    )


def test_a_segment_without_a_code_is_counted_unreadable() -> None:
    second = inspected(segment(False), pdt=0.0)  # no PDT
    assert second.counters[tm.TIMECODES_UNREADABLE] == 1
    assert tm.GLASS_TO_GLASS not in second.histograms
    assert second.counters[tm.SEGMENTS_DECODED] == 1
