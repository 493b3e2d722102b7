"""A real ViewerSession against a live HLS stream on loopback (a threaded HTTP server whose
stream can freeze, fail or hang), judged from what its Recorder booked, second by second."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import gevent
import pytest

from livefire.base import telemetry as tm
from loadgen.http import LeanHttpClient
from loadgen.player import Stall
from loadgen.recorder import Recorder
from loadgen.viewer import SessionLost, ViewerSession

pytestmark = pytest.mark.integration
SEGMENT_S = 1.0
WINDOW = 4


class LiveStream:
    """A live media playlist of 1 s segments that follows the clock until frozen."""

    def __init__(self) -> None:
        self.t0 = time.time() - 10 * SEGMENT_S
        self.frozen_at: float | None = None
        self.failing = False

    def playlist(self) -> str:
        now = self.frozen_at or time.time()
        last = int((now - self.t0) / SEGMENT_S) - 1
        first = max(0, last - WINDOW + 1)
        lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-TARGETDURATION:1"]
        lines.append(f"#EXT-X-MEDIA-SEQUENCE:{first}")
        pdt = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.t0 + first * SEGMENT_S))
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{pdt}Z")
        for seq in range(first, last + 1):
            lines += [f"#EXTINF:{SEGMENT_S:.1f},", f"seg{seq}.ts"]
        return "\n".join(lines) + "\n"


@pytest.fixture
def stream() -> Iterator[tuple[LiveStream, str]]:
    live = LiveStream()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if live.failing:
                body, status = b"down", 503
            elif self.path.endswith(".m3u8"):
                body, status = live.playlist().encode(), 200
            else:
                body, status = b"\x47" * 188 * 10, 200
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield live, f"http://127.0.0.1:{server.server_address[1]}/live/a/media.m3u8"
    finally:
        server.shutdown()
        server.server_close()


def booked(recorder: Recorder, counter: str) -> dict[int, int]:
    seconds = recorder.drain(final=True, now=time.time() + 5).seconds
    return {s.t: s.counters[counter] for s in seconds if s.counters.get(counter)}


def booked_stall(recorder: Recorder, stall: Stall) -> dict[int, int]:
    """The stall's milliseconds by second, checked whole and spread, not lumped in one."""
    stalled = booked(recorder, tm.STALL_MS)
    assert sum(stalled.values()) == pytest.approx(stall.seconds * 1000, abs=5)
    assert max(stalled.values()) <= 1000
    return stalled


def test_a_stall_that_recovers_is_booked_in_the_seconds_it_lasted(
    stream: tuple[LiveStream, str],
) -> None:
    live, url = stream
    recorder = Recorder("w")
    with LeanHttpClient(timeout=3.0) as client:
        session = ViewerSession(client, recorder, url)
        viewer = gevent.spawn(session.run)
        gevent.sleep(3.0)
        live.frozen_at = time.time()  # no new segment for 4.5 s: the buffer (~2 s) runs dry
        gevent.sleep(4.5)
        live.frozen_at = None
        gevent.sleep(2.5)
        viewer.kill()
    [stall] = session.player.stalls
    assert stall.seconds > 1.5  # the freeze did stall the player, for more than a second
    stalled = booked_stall(recorder, stall)  # spread over its seconds, not lumped into its end
    # booked in exactly the seconds it overlapped (by at least a millisecond, the unit booked)
    overlap = {
        t: (min(stall.end, t + 1) - max(stall.start, t)) * 1000
        for t in range(int(stall.start), int(stall.end) + 1)
    }
    assert {t for t, ms in overlap.items() if ms >= 1} <= set(stalled)
    assert set(stalled) <= {t for t, ms in overlap.items() if ms > 0}


def test_an_abandoned_stall_is_booked_up_to_the_moment_the_session_gave_up(
    stream: tuple[LiveStream, str],
) -> None:
    live, url = stream
    recorder = Recorder("w")
    with LeanHttpClient(timeout=3.0) as client:
        session = ViewerSession(client, recorder, url)
        viewer = gevent.spawn(session.run)
        gevent.sleep(3.0)
        live.frozen_at = time.time()
        gevent.sleep(3.5)  # dry after ~2 s, and then every request fails
        live.failing = True
        with pytest.raises(SessionLost):
            viewer.get(timeout=15)
    gave_up = time.time()
    [stall] = session.player.stalls
    assert stall.seconds > 2.0 and gave_up - stall.end < 0.5  # still stalled when it gave up
    booked_stall(recorder, stall)


def test_a_request_hanging_into_its_timeout_is_stamped_when_it_was_sent() -> None:
    """A `timeout` toxic: the connection is accepted and nothing ever comes back."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/live/a/media.m3u8"
        recorder = Recorder("w")
        with LeanHttpClient(timeout=1.5) as client:
            session = ViewerSession(client, recorder, url)
            sent = time.time()
            result = session.get(url, "media.m3u8", intended=sent)
    assert not result.ok and time.time() - sent >= 1.5
    seconds = {s.t: s for s in recorder.drain(final=True, now=time.time() + 5).seconds}
    for counter in (tm.REQUESTS, tm.REQUEST_ERRORS):
        stamped = {t: s.counters[counter] for t, s in seconds.items() if s.counters.get(counter)}
        assert stamped == {int(sent): 1}
    assert tm.REQUEST_LATENCY in seconds[int(sent)].histograms
