"""A creator's RTMP push: the same camera as `source.live_ts` (livefire's timecode in every
frame), muxed by FFmpeg's `flv` muxer straight onto an `rtmp://` URL through PyAV, at
real-time pace. The socket is FFmpeg's; a broken push raises `av.FFmpegError` (or OSError),
and the caller reconnects."""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction

import av

from loadgen.source import FPS, HEIGHT, WIDTH, camera

Sleep = Callable[[float], object]


def push_rtmp(
    url: str,
    seconds: float,
    stream_name: str,
    sleep: Sleep = time.sleep,
    on_bytes: Callable[[int], None] = lambda _: None,
) -> int:
    """Push `seconds` of the camera to `url` (e.g. rtmp://host/live/key) at real-time pace;
    returns the frames sent. `on_bytes(n)` is told the size of each video packet muxed."""
    frames = 0
    with av.open(url, "w", format="flv", timeout=(5.0, 5.0)) as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.time_base = Fraction(1, FPS)
        stream.codec_context.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(FPS)}
        shoot, start = camera(stream_name), time.time()
        for index in range(int(seconds * FPS)):
            delay = start + (index + 1) / FPS - time.time()
            if delay > 0:
                sleep(delay)
            frame = av.VideoFrame.from_ndarray(shoot(index), format="yuv420p")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
                on_bytes(packet.size)
            frames += 1
        for packet in stream.encode(None):
            container.mux(packet)
    return frames
