"""The viewer: watches one live stream the way a player does, and measures what it sees.

It loads the master playlist, picks a rendition, follows the media playlist (LL-HLS blocking
reload when the server advertises it, otherwise a poll every target duration, scheduled so
lateness is measured, not hidden), downloads each new segment once, and feeds a player-buffer
model. After repeated failures it starts over, as a player would.

Every request is stamped with the time it was meant to leave (`HttpResult.intended`): its
count, error and latency belong to the second it was sent in, so a request hanging into its
timeout during a hang fault is the fault's, not the seconds after it. Time played and stalled
are booked into the wall-clock seconds they passed in (`book_until`, on every response, every
second from the worker's probe, and when the session ends however it ends).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import gevent

from livefire.base import stages
from livefire.base import telemetry as tm
from loadgen.abr import Abr
from loadgen.decode import inspect_segment
from loadgen.http import HttpResult, LeanHttpClient
from loadgen.player import PlayerBuffer
from loadgen.playlist import (
    MediaPlaylist,
    MediaSegment,
    PlaylistError,
    Variant,
    blocking_url,
    parse_master,
    parse_media,
)
from loadgen.recorder import Recorder
from loadgen.user_http import EndpointClient

HOLD_BACK_SEGMENTS = 2  # start this many segments behind the live edge, as players do
EARLY_TOLERANCE_S = 0.002  # a segment "complete" later than its arrival by more: clocks differ
MAX_FAILURES = 5  # consecutive failures before the session starts over
RETRY_S = 0.5
STARTUP_GIVE_UP_S = 10.0  # no first segment this long after the first request: a failed start


class SessionLost(Exception):
    """Too many consecutive failures: the viewer must start over."""


class ViewerSession:
    """One viewing session of one stream; `run()` returns only by raising SessionLost."""

    def __init__(
        self,
        client: LeanHttpClient | EndpointClient,
        recorder: Recorder,
        master_url: str,
        max_stall: float = 8.0,
        decode_sample: float = 0.0,
        on_broken: Callable[[], None] = lambda: None,
        on_started: Callable[[], None] = lambda: None,
        on_degraded: Callable[[], None] = lambda: None,
        quality_target: int | None = None,
    ) -> None:
        self.max_stall = max_stall
        self.decode_sample = decode_sample  # share of segments checked with PyAV
        self.on_broken = on_broken  # not preserved (a stall > max_stall); implies degraded
        self.on_started = on_started  # the first segment arrived
        self.on_degraded = on_degraded  # quality not held: a stall, or a drop below target
        self.quality_target = quality_target  # lowest acceptable height; None: best reached
        self.client = client
        self.recorder = recorder
        self.master_url = master_url
        self.player = PlayerBuffer()
        # seconds played and stalled booked so far, per (counter, second): each take is
        # booked as whole milliseconds of the running total, so rounding never adds up
        self._exact: dict[tuple[str, int], float] = {}
        self.failures = 0
        self.started = time.time()
        self.startup_recorded = False
        self.last_load: float | None = None  # when the last playlist load was meant to begin
        self.startup_failed = False  # counted in startup_failures: its startup is "never"
        self.ready_at: float | None = None  # when the last response arrived: the next request
        # should leave right then, so any delay until it does is the generator's own lag

    def get(
        self, url: str, name: str, intended: float | None = None, timeout: float | None = None
    ) -> HttpResult:
        if intended is None:
            intended = self.ready_at
        now = time.time()
        limit = self.client.timeout if timeout is None else timeout
        with self.recorder.in_flight(now if intended is None else intended, now + limit + 1.0):
            result = self.client.get(url, name=name, intended=intended, timeout=timeout)
        at = result.last_byte or time.time()
        self.book_until(at)
        self.check_startup(at)
        # after a failure the viewer backs off on purpose: that wait is not generator lag
        self.ready_at = result.last_byte if result.ok else None
        sent = result.intended  # every figure of a request belongs to when it was sent
        self.recorder.count(tm.REQUESTS, at=sent)
        self.recorder.observe(tm.REQUEST_LATENCY, result.latency_ms / 1000, at=sent)
        self.recorder.observe(tm.SCHEDULE_LAG, max(0.0, result.began - sent), at=sent)
        if not result.ok:
            self.recorder.count(tm.REQUEST_ERRORS, at=sent)
            self.failures += 1
            if self.failures >= MAX_FAILURES:
                raise SessionLost(f"{name}: {result.error or result.status}")
            gevent.sleep(RETRY_S)
        else:
            self.failures = 0
            self.recorder.clock.observe(result.headers, result.sent, result.first_byte)
        return result

    def run(self) -> None:
        variants = self._variants()
        abr = Abr([v.bandwidth for v in variants])
        floor = quality_floor(variants, self.quality_target)
        media_url = variants[abr.index].uri
        playlist = self._load(media_url)  # due the moment the master playlist is in hand
        first_live = playlist.last_seq + 1  # segments from here on were discovered live
        next_seq = max(playlist.segments[0].seq, playlist.last_seq - HOLD_BACK_SEGMENTS + 1)
        best = abr.index  # the best rendition reached: the default quality target
        while True:
            segment = _find(playlist, next_seq)
            if segment is not None:
                self._download(segment, live=segment.seq >= first_live, abr=abr)
                next_seq += 1
                now = time.time()
                before = abr.index
                if abr.decide(self.player.level, now, self.player.stalled_for(now) > 0) != before:
                    self.recorder.count(tm.UPSWITCHES if abr.index > before else tm.DOWNSWITCHES)
                    best = max(best, before)
                    if abr.index < min(best, floor if floor is not None else best):
                        self.on_degraded()
                    media_url = variants[abr.index].uri  # renditions share sequence numbers
                    playlist = self._load(media_url)
            elif next_seq < playlist.segments[0].seq:  # fell behind the window: skip ahead
                next_seq = playlist.segments[0].seq
            else:
                playlist = self._reload(media_url, playlist, next_seq)

    def book_until(self, now: float) -> None:
        """Book the time played and stalled up to `now` into the seconds it passed in; a stall
        first seen degrades the stream, and one still going past `max_stall` breaks it (a
        stream that never comes back is broken). Cheap: call it often, and last when the
        session ends, whatever ends it."""
        taken = self.player.take(now)
        for t, (played, stalled) in taken.seconds.items():
            self._book(tm.WATCHED_MS, t, played)
            self._book(tm.STALL_MS, t, stalled)
        for key in [k for k in self._exact if k[1] < now - 5]:  # takes reach back ~1 s
            del self._exact[key]
        for stall in taken.new_stalls:
            self.recorder.count(tm.STALLS, at=stall.start)
            self.on_degraded()
        if self.player.stalled_for(now) > self.max_stall:
            self.on_broken()

    def _book(self, counter: str, t: int, seconds: float) -> None:
        if not seconds:
            return
        before = self._exact.get((counter, t), 0.0)
        self._exact[(counter, t)] = before + seconds
        ms = round((before + seconds) * 1000) - round(before * 1000)
        if ms:
            self.recorder.count(counter, ms, at=t)

    def _variants(self) -> list[Variant]:
        intended: float | None = self.started  # the first attempt only: retries follow a sleep
        while True:
            result = self.get(self.master_url, "master.m3u8", intended=intended)
            intended = None
            if result.ok:
                try:
                    return parse_master(result.body.decode(), self.master_url)
                except (PlaylistError, UnicodeDecodeError, ValueError):
                    self._bad_playlist(result.intended)

    def _load(
        self,
        url: str,
        intended: float | None = None,
        name: str = "media.m3u8",
        timeout: float | None = None,
    ) -> MediaPlaylist:
        while True:
            result = self.get(url, name, intended=intended, timeout=timeout)
            self.last_load = result.intended
            intended = None
            if result.ok:
                try:
                    playlist = parse_media(result.body.decode(), url.split("?")[0])
                    if playlist.segments:
                        return playlist
                except (PlaylistError, UnicodeDecodeError, ValueError):
                    pass
                self._bad_playlist(result.intended)

    def _bad_playlist(self, sent: float) -> None:
        self.recorder.count(tm.REQUEST_ERRORS, at=sent)
        self.failures += 1
        if self.failures >= MAX_FAILURES:
            raise SessionLost("unusable playlist")
        self.ready_at = None
        gevent.sleep(RETRY_S)

    def _reload(self, url: str, current: MediaPlaylist, next_seq: int) -> MediaPlaylist:
        if current.can_block:
            timeout = 3 * current.target_duration + 2.0
            return self._load(
                blocking_url(url, next_seq), name="media.m3u8?_HLS_msn", timeout=timeout
            )
        intended = next_poll(self.last_load, current.target_duration, time.time())
        if intended is not None:
            gevent.sleep(max(0.0, intended - time.time()))
        return self._load(url, intended=intended)

    def _download(self, segment: MediaSegment, live: bool, abr: Abr) -> None:
        result = self.get(segment.uri, "segment.ts")
        if not result.ok:
            return
        arrived = result.last_byte
        abr.observe(len(result.body), arrived - result.sent)
        if self.decode_sample and random.random() < self.decode_sample:
            self._inspect(result.body, segment, arrived, live)
        if live and segment.pdt:
            latency = arrived - (segment.pdt + segment.duration)
            self.recorder.observe(tm.STREAM_LATENCY, latency, at=arrived)
            if latency < -EARLY_TOLERANCE_S:
                self.recorder.count(tm.SEGMENTS_EARLY, at=arrived)
        if live and (stamps := result.headers.get(stages.HEADER_KEY)):
            self._stages(stamps, arrived)
        self.recorder.count(tm.SEGMENTS, at=arrived)
        stall = self.player.segment_arrived(segment.duration, arrived)
        if stall is not None and stall.seconds > self.max_stall:
            self.on_broken()
        if not self.startup_recorded:
            self.startup_recorded = True
            self.on_started()
            if not self.startup_failed:  # already counted as never having started
                self.recorder.observe(tm.STARTUP, arrived - self.started, at=self.started)
        self.book_until(arrived)

    def _inspect(self, body: bytes, segment: MediaSegment, arrived: float, live: bool) -> None:
        """Decode a sampled segment: valid or not, and glass-to-glass from the capture time
        its first frame carries, measured as stream latency is but with no PDT needed."""
        inspection = inspect_segment(body, segment.duration)
        self.recorder.count(tm.SEGMENTS_INVALID if inspection.problem else tm.SEGMENTS_DECODED)
        code = inspection.code
        if code is None:
            if inspection.problem is None:  # decodable, yet no code read: counted, never used
                self.recorder.count(tm.TIMECODES_UNREADABLE, at=arrived)
            return
        self.recorder.count(tm.TIMECODES_READ, at=arrived)
        if live:
            latency = arrived - (code.capture + segment.duration)
            self.recorder.observe(tm.GLASS_TO_GLASS, latency, at=arrived)
        if segment.pdt:
            error = segment.pdt - code.capture
            self.recorder.observe(tm.PDT_ERROR, abs(error), at=arrived)
            self.recorder.count(tm.PDT_ERROR_SIGNED_MS, round(error * 1000), at=arrived)

    def _stages(self, stamps: str, arrived: float) -> None:
        """The segment's latency split by the platform's stage stamps (only a platform that
        sends X-Stage-Times has them); stamps that run backwards are counted, not used."""
        found = stages.durations(stamps, arrived)
        if found is None:
            self.recorder.count(tm.STAGE_STAMPS_DISORDERED, at=arrived)
            return
        for name, seconds in found.items():
            self.recorder.observe(name, seconds, at=arrived)

    def check_startup(self, now: float, gave_up: bool = False) -> None:
        """Count a failed start, once: no first segment within STARTUP_GIVE_UP_S, or the
        session gave up before one. Counted in the second the session started, as a startup
        time is. Call it when the session ends too."""
        if self.startup_recorded or self.startup_failed:
            return
        if gave_up or now - self.started > STARTUP_GIVE_UP_S:
            self.startup_failed = True
            self.recorder.count(tm.STARTUP_FAILURES, at=self.started)


def _find(playlist: MediaPlaylist, seq: int) -> MediaSegment | None:
    first = playlist.segments[0].seq
    if first <= seq <= playlist.last_seq:
        return playlist.segments[seq - first]
    return None


def next_poll(last_load: float | None, target_duration: float, now: float) -> float | None:
    """When to reload a live playlist that cannot block: one target duration after the last
    load *began* (RFC 8216 §6.3.4), so polls keep to the segment cadence instead of drifting
    by each exchange's duration. None when that moment has passed (a slow response or
    download): reload at once, and lateness counts from the previous response's arrival, as
    the server's doing, not the generator's."""
    if last_load is None:
        return now + target_duration
    due = last_load + target_duration
    return due if due > now else None


def quality_floor(variants: list[Variant], target_height: int | None) -> int | None:
    """Index of the lowest rendition at least `target_height` tall (variants are ordered as the
    ABR ladder, lowest first); None when no target is set or the ladder has none that tall."""
    if target_height is None:
        return None
    for index, variant in enumerate(variants):
        if _height(variant.resolution) >= target_height:
            return index
    return None


def _height(resolution: str) -> int:
    try:
        return int(resolution.lower().split("x")[1])
    except (IndexError, ValueError):
        return 0


def pick_master_url(
    master_urls: dict[str, list[str]], shares: dict[str, float], rng: random.Random
) -> tuple[str, str]:
    """A region by its share of viewers, then one of its streams: (region, master URL)."""
    regions = [r for r in master_urls if master_urls[r]]
    weights = [shares.get(r, 1.0) for r in regions]
    region = rng.choices(regions, weights=weights)[0]
    return region, rng.choice(master_urls[region])
