"""A creator's RTMP push (PyAV's flv muxer on rtmp://) reaches a real RTMP server, ffmpeg's
own listener on loopback, at real-time pace, and every frame it records carries livefire's
timecode with the stream's id and a capture time within the push."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import av
import pytest

from livefire.base import timecode
from loadgen.rtmp import push_rtmp
from tests.stopping import stop

pytestmark = pytest.mark.integration


LISTEN = ["ffmpeg", "-loglevel", "error", "-listen", "1", "-timeout", "10", "-i"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_rtmp_push_carries_the_timecode_at_real_time_pace(tmp_path: Path) -> None:
    port, out = free_port(), tmp_path / "got.flv"
    url = f"rtmp://127.0.0.1:{port}/live/creator-7"
    server = subprocess.Popen(
        [*LISTEN, url, "-c", "copy", "-y", str(out)],
        stdin=subprocess.DEVNULL,
    )
    try:
        started = time.time()
        sent = 0
        for _ in range(50):  # until the listener is bound (a probe connection would end it)
            try:
                sent = push_rtmp(url, 2.0, "creator-7")
                break
            except av.error.ConnectionRefusedError:
                time.sleep(0.1)
                started = time.time()
        pushed_in = time.time() - started
        server.wait(15)
    finally:
        stop(server)
    assert sent == 30 and 1.9 < pushed_in < 6.0  # real-time pace, not as fast as it goes
    with av.open(str(out)) as container:
        codes = [
            timecode.read(f.to_ndarray(format="yuv420p")[: f.height])
            for f in container.decode(container.streams.video[0])
        ]
    assert len(codes) == 30 and all(c is not None for c in codes)
    assert {c.stream for c in codes if c} == {timecode.stream_id("creator-7")}
    assert all(started <= c.capture <= started + pushed_in for c in codes if c)
    assert [c.frame for c in codes if c] == list(range(30))


def test_a_creator_reconnects_when_the_rtmp_server_goes_and_counts_it(tmp_path: Path) -> None:
    import gevent

    from livefire.base import telemetry as tm
    from loadgen.creator import CreatorSession
    from loadgen.recorder import Recorder

    port = free_port()
    url = f"rtmp://127.0.0.1:{port}/live/{{stream}}"
    server = subprocess.Popen(  # takes one push, keeps 1 s of it, and leaves
        [
            *LISTEN,
            url.replace("{stream}", "c1"),
            "-t",
            "1",
            "-c",
            "copy",
            "-y",
            str(tmp_path / "a.flv"),
        ],
        stdin=subprocess.DEVNULL,
    )
    recorder = Recorder("w1")
    session = CreatorSession("", "c1", recorder)
    try:
        time.sleep(0.5)  # let the listener bind (a probe connection would use up its one listen)
        pusher = gevent.spawn(session.run_rtmp_forever, url)
        gevent.sleep(2.0)
        stop(server)  # the ingest goes away mid-push
        gevent.sleep(3.0)
        pusher.kill(timeout=5)
    finally:
        stop(server)
    merged = tm.Second(0)
    for second in recorder.drain(final=True).seconds:
        merged.merge(second)
    assert merged.counters.get(tm.INGEST_BYTES, 0) > 1000  # pushed while the server was there
    assert merged.counters.get(tm.INGEST_INTERRUPTIONS, 0) >= 2  # it went; nobody answered after
