"""A handful of extra requests per worker that pin down its clock offset when the viewers'
own responses cannot.

Viewers poll on the segment cadence, so a worker's responses fall at a few fixed phases of
the second and the `Date` bound (`loadgen.clock`) may stay hundreds of milliseconds wide: a
latency verdict near its promise then comes out inconclusive, however well the clocks agree.
Once a second, while the bound is wider than a round trip allows, the probe fetches a viewer's
master playlist (small, always there) at the moment that halves the bound, with that viewer's
headers, cookies and TLS. It stops after `MAX_PROBES`; Locust's table shows them as
`clock probe`, and no SLI counts them.
"""

from __future__ import annotations

import time
from typing import Any

import gevent

from loadgen.clock import ClockEstimator
from loadgen.http import LeanHttpClient
from loadgen.user_http import EndpointClient, UserHttp

MAX_PROBES = 16  # from a one-second bound, 16 halvings reach any round trip
PAUSE_S = 1.0
PROBE_TIMEOUT_S = 2.0
PROBE_NAME = "clock probe"


class ClockProbe:
    """Sends the bisecting requests for one worker's estimator; viewers `offer` a URL."""

    def __init__(self, clock: ClockEstimator, request_event: Any | None = None) -> None:
        self.clock = clock
        self.lean = LeanHttpClient(timeout=PROBE_TIMEOUT_S, request_event=request_event)
        self.sent = 0
        self._source: tuple[UserHttp, str] | None = None

    def offer(self, user: UserHttp, url: str) -> None:
        """A URL on the platform the latency is measured against, fetched as `user` does."""
        self._source = (user, url)

    def run(self) -> None:
        """Probe until the bound is as narrow as a round trip allows (the bound only ever
        narrows), or `MAX_PROBES` were sent."""
        try:
            while self.sent < MAX_PROBES and not self.clock.settled():
                gevent.sleep(PAUSE_S)
                if self._source is not None:
                    self.probe_once(self._source)
        finally:
            self.lean.close()

    def probe_once(self, source: tuple[UserHttp, str]) -> None:
        at = self.clock.bisecting_send(time.time())
        if at is None:
            return
        gevent.sleep(max(0.0, at - time.time()))
        user, url = source
        endpoint = EndpointClient(self.lean, user, "hls")
        result = endpoint.get(url, name=PROBE_NAME, timeout=PROBE_TIMEOUT_S)
        self.sent += 1
        if result.ok:
            self.clock.observe(result.headers, result.sent, result.first_byte)
