"""The creator: pushes a live MPEG-TS source at real-time pace to the ingest node the origin's
ingest route names, and when the push breaks, asks the route again and reconnects, counting
every interruption (the platform's documented ingest protocol: see livefire_stubs.transcoder);
or, with `load.creator_protocol: rtmp`, pushes FLV over RTMP to `load.creator_url` (see
`loadgen.rtmp`) and reconnects there. Either way every frame carries livefire's timecode.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import av
import gevent
import requests

from livefire.base import telemetry as tm
from loadgen.recorder import Recorder
from loadgen.rtmp import push_rtmp
from loadgen.source import live_ts
from loadgen.user_http import UserHttp

RECONNECT_S = 1.0
LONGEST_PUSH_S = 24 * 3600.0


class CreatorSession:
    def __init__(
        self,
        origin: str,
        stream: str,
        recorder: Recorder,
        request_event: Any | None = None,
        user: UserHttp | None = None,
    ) -> None:
        self.origin, self.stream, self.recorder = origin.rstrip("/"), stream, recorder
        self.request_event = request_event
        self.user = user  # staging: the origin endpoint's headers, TLS and identity
        # its cookies are the user's (and `cookies: false` keeps none)
        self.http = user.session() if user is not None else requests.Session()

    def _options(self, url: str, timeout: float | tuple[float, float]) -> dict[str, Any]:
        options: dict[str, Any] = {"timeout": timeout}
        if self.user is not None:
            options |= self.user.requests_options("origin", url)
        return options

    def run_forever(self) -> None:
        while True:
            started = time.time()
            error: Exception | None = None
            try:
                push = self._route()
                response = self.http.put(push, data=self._paced(), **self._options(push, (3, 10)))
                if self.user is not None:
                    self.user.remember_response("origin", push, response)
                if response.status_code >= 400:
                    error = RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
            except (requests.RequestException, ValueError, KeyError) as exc:
                error = exc
            self._report(started, error)
            self.recorder.count(tm.INGEST_INTERRUPTIONS)
            gevent.sleep(RECONNECT_S)

    def run_rtmp_forever(self, template: str) -> None:
        """Push RTMP to `template` (its {stream} filled in) and reconnect whenever the push
        breaks, counting each interruption; FFmpeg owns the socket, so its blocking writes
        hold this worker's event loop for as long as each one takes."""
        url = template.replace("{stream}", self.stream)
        while True:
            started = time.time()
            error: Exception | None = None
            try:
                push_rtmp(url, LONGEST_PUSH_S, self.stream, gevent.sleep, self._pushed)
            except (av.FFmpegError, OSError) as exc:
                error = exc
            self._report(started, error, "PUBLISH", "/rtmp")
            self.recorder.count(tm.INGEST_INTERRUPTIONS)
            gevent.sleep(RECONNECT_S)

    def _pushed(self, size: int) -> None:
        self.recorder.count(tm.INGEST_BYTES, size)

    def _route(self) -> str:
        url = f"{self.origin}/ingest-route"
        answer = self.http.get(url, params={"stream": self.stream}, **self._options(url, 3))
        if self.user is not None:
            self.user.remember_response("origin", url, answer)
        answer.raise_for_status()
        return str(answer.json()["push"])

    def _paced(self) -> Iterator[bytes]:
        for chunk in live_ts(LONGEST_PUSH_S, gevent.sleep, self.stream):
            self.recorder.count(tm.INGEST_BYTES, len(chunk))
            yield chunk

    def _report(
        self, started: float, error: Exception | None, kind: str = "PUT", name: str = "/push"
    ) -> None:
        if self.request_event is not None:
            self.request_event.fire(
                request_type=kind,
                name=name,
                response_length=0,
                response_time=(time.time() - started) * 1000,
                exception=error,
                context={},
            )
