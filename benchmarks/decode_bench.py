"""Decode sampling cost: segments decoded per second per core by a viewer's decode sample
(`loadgen.decode.inspect_segment`: a full H.264 decode for validity, plus reading the
timecode of the first frame), per rendition of the reference platform's ladders.

    .venv/bin/python benchmarks/decode_bench.py [--segments 20]

Segments come from the platform's own encoder and synthetic camera (1 s each). CPU time is
process time in this one process, so the figure is per core. Last line:
`decode_segments_per_core_s_<rendition>=..` for each rendition.
"""

from __future__ import annotations

import argparse
import time

import _procs  # noqa: F401  (sys.path)
from livefire_stubs.encoder import SegmentEncoder
from livefire_stubs.hls import Rendition
from livefire_stubs.ladder import DEFAULT, FULL
from livefire_stubs.synthetic import TestPattern

from loadgen.decode import inspect_segment


def one_segment(rendition: Rendition) -> bytes:
    frames = rendition.fps
    encoder = SegmentEncoder(rendition, frames)
    pattern = TestPattern(rendition.width, rendition.height, "bench")
    for i in range(frames):
        encoder.add(pattern.frame(i, 1_764_000_000_000 + i * 1000 // frames), i)
    return encoder.finish()


def per_core_second(rendition: Rendition, segments: int) -> float:
    data = one_segment(rendition)
    assert inspect_segment(data, 1.0).code is not None, rendition.name  # the code reads back
    started = time.process_time()
    for _ in range(segments):
        inspect_segment(data, 1.0)
    return segments / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=20, help="decodes per rendition")
    args = parser.parse_args()
    figures = {}
    for rendition in (*DEFAULT, *FULL[2:]):  # 240p, 144p, 480p30, 360p30, 240p30
        figures[rendition.name] = per_core_second(rendition, max(1, min(args.segments, 500)))
        print(f"{rendition.name}: {figures[rendition.name]:.1f} segments/s per core")
    print(" ".join(f"decode_segments_per_core_s_{n}={v:.1f}" for n, v in figures.items()))


if __name__ == "__main__":
    main()
