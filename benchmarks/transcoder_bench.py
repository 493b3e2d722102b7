"""Transcoder CPU cost: CPU seconds per stream per second of video, per ladder.

    /work/venv/bin/python benchmarks/transcoder_bench.py [--seconds 4] [--ladders default,full]

Drives the transcoder's own per-frame path (synthetic camera → PyAV libx264 ultrafast, one
fresh encoder per 1 s segment, every rendition of the ladder) as fast as it goes, in this
process, and divides the CPU time by the seconds of video produced. 1.0 means one core
holds one stream in real time. Last line: `default_cpu_s_per_stream_s=.. full_..=..`.
"""

from __future__ import annotations

import argparse
import time

import _procs  # noqa: F401  (sys.path)
from livefire_stubs.ladder import LADDERS
from livefire_stubs.transcoder import SEGMENT_SECONDS, LiveStream, NodeOptions, Transcoder
from prometheus_client import CollectorRegistry


def cpu_per_stream_second(ladder: str, seconds: int) -> float:
    renditions = LADDERS[ladder]
    node = Transcoder(NodeOptions("http://unused", renditions, "bench"), None, CollectorRegistry())  # type: ignore[arg-type]
    stream = LiveStream("bench", renditions, time.time())
    frames = int(node.fps * seconds)
    node.add_frame(stream, 0)  # warm up: encoder and pattern set-up is not per-second cost
    started = time.process_time()
    for frame in range(1, frames + 1):
        node.add_frame(stream, frame)
        if (frame + 1) % node.frames_per_segment == 0:
            segments = [encoder.finish() for encoder in stream.encoders.values()]
            stream.encoders.clear()
            assert all(segments)
    return (time.process_time() - started) / (frames / node.fps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4, help="seconds of video per ladder")
    parser.add_argument("--ladders", default="default,full")
    args = parser.parse_args()
    figures = {}
    for ladder in args.ladders.split(","):
        figures[ladder] = cpu_per_stream_second(ladder, args.seconds)
        names = ", ".join(r.name for r in LADDERS[ladder])
        print(f"{ladder} ladder ({names}): {figures[ladder]:.3f} CPU s per stream second")
    print(
        f"segment_s={SEGMENT_SECONDS:g} "
        + " ".join(f"{ladder}_cpu_s_per_stream_s={value:.3f}" for ladder, value in figures.items())
    )


if __name__ == "__main__":
    main()
