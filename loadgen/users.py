"""Locust user classes. Locust stays the engine: its user count, spawn rate and shape mean
these users, and every request reaches its request event (web UI, CSV stats)."""

from __future__ import annotations

import json
import random
import time
from functools import cache

import gevent
from locust import User, constant, task

from livefire.base import telemetry as tm
from livefire.base.connect import TemplateError
from livefire.base.http_templates import gift_template, search_template
from loadgen import shipping
from loadgen.chat_wire import chat_wire
from loadgen.chatter import ChatSession
from loadgen.config import LoadConfig
from loadgen.creator import CreatorSession
from loadgen.gifter import GiftSession
from loadgen.http import HttpResult, LeanHttpClient
from loadgen.http_wires import SearchWire
from loadgen.protocol_plugins import build_protocol
from loadgen.recorder import Recorder
from loadgen.search import SearchQueries
from loadgen.user_http import EndpointClient, UserHttp, chat_dial
from loadgen.viewer import SessionLost, ViewerSession, pick_master_url


@cache
def _config(text: str) -> LoadConfig:
    return LoadConfig.from_json(text)


class LivefireUser(User):
    """What every livefire user shares: the run's configuration, a recorder, a random start."""

    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.config = _config(self.environment.parsed_options.livefire_config)
        self.rng = random.Random()
        assert shipping.SHIPPER is not None, "the locustfile installs the shipper"
        self.recorder: Recorder = shipping.SHIPPER.recorder
        self.name = f"{type(self).__name__.lower()}-{id(self):x}"
        gevent.sleep(self.rng.uniform(0, self.config.spawn_jitter))

    def worker_index(self) -> int:
        """This worker's index in the run (0 when the runner has none: a local run)."""
        return int(getattr(self.environment.runner, "worker_index", 0) or 0)

    def stream(self) -> str:
        return self.rng.choice(self.config.streams or ["live1"])


class Viewer(LivefireUser):
    """Watches a live stream; after repeated failures asks the router again (client-side
    failover). Its stream is preserved unless it stalls past `max_stall` or starts over."""

    def on_start(self) -> None:
        super().on_start()
        self.client = LeanHttpClient(timeout=10.0, request_event=self.environment.events.request)
        self.http = UserHttp(
            self.config, self.name, self.environment.events.request, self.worker_index()
        )
        self.hls = EndpointClient(self.client, self.http, "hls")
        self.router = EndpointClient(self.client, self.http, "router")
        self.broken = False
        self.degraded = False
        self.started = False
        self.session: ViewerSession | None = None
        self.recorder.audience.add(self)

    def on_stop(self) -> None:
        if self.session is not None:  # stopped (ramp-down, the run's end): book to this moment
            now = time.time()
            self.session.book_until(now)  # a stall still going is a stall until now
            self.session.check_startup(now)  # a long wait for a first segment failed
        self.recorder.audience.discard(self)
        self.client.close()

    def book_until(self, now: float) -> None:
        """The worker's probe, once a second: book the session's played and stalled time, so
        a viewer hung in a long request still shows its stall in the seconds it lasts."""
        if self.session is not None:
            self.session.book_until(now)

    def playing(self, now: float) -> bool | None:
        """For the audience sample: a viewer that ever played and is starting over now is
        not playing either."""
        if not self.started:
            return None
        player = self.session.player if self.session is not None else None
        if player is None or player.playing_since is None:
            return False
        return player.stalled_for(now) == 0

    def _on_started(self) -> None:
        if not self.started:
            self.started = True
            self.recorder.count(tm.STREAMS_STARTED)

    def _on_broken(self) -> None:
        self._on_degraded()
        if self.started and not self.broken:
            self.broken = True
            self.recorder.count(tm.STREAMS_BROKEN)

    def _on_degraded(self) -> None:
        if self.started and not self.degraded:
            self.degraded = True
            self.recorder.count(tm.STREAMS_DEGRADED)

    @task
    def watch(self) -> None:
        if self.config.master_urls:
            shares = self.config.region_shares
            region, url = pick_master_url(self.config.master_urls, shares, self.rng)
            stream = url.split("/live/")[1].split("/")[0] if "/live/" in url else self.stream()
        else:  # staging behind a router only: a region by share, a stream by name
            shares = self.config.region_shares or {"default": 1.0}
            region = self.rng.choices(list(shares), weights=list(shares.values()))[0]
            url, stream = "", self.stream()
        while True:
            asked = time.time()
            master = self._route(region, stream) or url
            if not master:  # the router could not say where to watch: ask again shortly
                self.recorder.count(tm.REQUESTS, at=asked)  # when it was asked, as any request
                self.recorder.count(tm.REQUEST_ERRORS, at=asked)
                gevent.sleep(1.0)
                continue
            if shipping.SHIPPER is not None:  # its Date pins the clock when polls cannot
                shipping.SHIPPER.clock_probe.offer(self.http, master)
            self.session = session = ViewerSession(
                self.hls,
                self.recorder,
                master,
                self.config.max_stall,
                self.config.decode_sample,
                self._on_broken,
                self._on_started,
                self._on_degraded,
                self.config.quality_target,
            )
            try:
                session.run()
            except SessionLost:
                now = time.time()
                session.book_until(now)  # its stall ends here: the next session starts afresh
                session.check_startup(now, gave_up=True)
                self.session = None
                self.recorder.count(tm.SESSION_RESTARTS)
                self._on_broken()

    def _route(self, region: str, stream: str) -> str | None:
        if not self.config.router:
            return None
        result = self.router.get(
            f"{self.config.router}/route?region={region}&stream={stream}",
            name="/route",
            timeout=3.0 if self.router.timeout == self.client.timeout else None,
        )
        try:
            return str(json.loads(result.body)["master"]) if result.ok else None
        except (ValueError, KeyError):
            return None


class Chatter(LivefireUser):
    """Chats in its stream's room at `chat_interval`, recording every receipt."""

    @task
    def chat(self) -> None:
        if not self.config.chat_urls:
            raise RuntimeError("the target has no chat endpoint")
        urls = list(self.config.chat_urls)
        self.rng.shuffle(urls)
        room = self.stream()
        user = UserHttp(
            self.config, self.name, self.environment.events.request, self.worker_index()
        )
        protocol = self.config.protocols.get("chat")
        ChatSession(
            urls,
            room,
            self.name,
            self.recorder,
            self.config.chat_interval,
            self.rng,
            wire=lambda: chat_wire(protocol),
            dial=lambda url: chat_dial(user, url, room),
        ).run_forever()


class Gifter(LivefireUser):
    """Sends gifts with idempotency keys and journals each for reconciliation."""

    @task
    def gift(self) -> None:
        if not self.config.gifts_url:
            raise RuntimeError("the target has no gift API")
        template = gift_template(self.config.protocols.get("gifts"))
        GiftSession(
            self.config.gifts_url,
            self.stream(),
            self.name,
            self.recorder,
            self.config.gift_interval,
            self.config.gift_timeout,
            self.rng,
            self.environment.events.request,
            UserHttp(self.config, self.name, self.environment.events.request, self.worker_index()),
            template,
            build_protocol(template.plugin, "gifts", template.options) if template.plugin else None,
        ).run_forever()


class Searcher(LivefireUser):
    """Searches live streams (discovery) on a fixed schedule, measured from intended times.
    What a search looks like is the scenario's search template (`GET /search?q=live` when
    there is none): its URL filled per search with the next of its queries, its answer judged
    by its success statuses and, when it names one, a JSON path that must match."""

    def on_start(self) -> None:
        super().on_start()
        self.client = LeanHttpClient(timeout=5.0, request_event=self.environment.events.request)
        self.http = UserHttp(
            self.config, self.name, self.environment.events.request, self.worker_index()
        )
        self.discovery = EndpointClient(self.client, self.http, "discovery")
        self.template = search_template(self.config.protocols.get("search"))
        plugin = self.template.plugin
        self.wire = build_protocol(plugin, "search", self.template.options) if plugin else None
        self.queries = SearchQueries(self.template, self.rng.randrange(len(self.template.queries)))

    def on_stop(self) -> None:
        self.client.close()

    @task
    def search(self) -> None:
        if not self.config.discovery_url:
            raise RuntimeError("the target has no discovery endpoint")
        intended = time.time()
        while True:
            intended += self.config.search_interval
            gevent.sleep(max(0.0, intended - time.time()))
            deadline = time.time() + self.discovery.timeout + 1.0
            if self.wire is not None:
                self._search_by_plugin(self.wire, intended, deadline)
                continue
            with self.recorder.in_flight(intended, deadline):
                result = self._search_once(intended)
            at = result.last_byte or time.time()
            self.recorder.count(tm.SEARCHES, at=intended)
            self.recorder.observe(tm.SEARCH_LATENCY, result.latency_ms / 1000, at=intended)
            if not self.queries.succeeded(result.status, result.error, result.body):
                self.recorder.count(tm.SEARCH_ERRORS, at=intended)
            self.recorder.observe(tm.SCHEDULE_LAG, max(0.0, result.began - intended), at=at)

    def _search_by_plugin(self, wire: SearchWire, intended: float, deadline: float) -> None:
        """One search through a plugin, measured from its intended time as any search."""
        assert self.config.discovery_url
        began = time.time()
        with self.recorder.in_flight(intended, deadline):
            try:
                ok = wire.search(self.config.discovery_url, self.http, self.discovery.timeout)
            except Exception:  # a plugin fails in its own ways: a failed search, not a crash
                ok = False
        done = time.time()
        self.recorder.count(tm.SEARCHES, at=intended)
        self.recorder.observe(tm.SEARCH_LATENCY, done - intended, at=intended)
        if not ok:
            self.recorder.count(tm.SEARCH_ERRORS, at=intended)
        self.recorder.observe(tm.SCHEDULE_LAG, max(0.0, began - intended), at=done)

    def _search_once(self, intended: float) -> HttpResult:
        assert self.config.discovery_url
        self.http.ensure_login()  # the token a URL template may name
        try:
            url = self.queries.url(self.config.discovery_url, self.http.identity.values)
        except TemplateError as exc:  # a value the identity lacks: a failed search, not a crash
            now = time.time()
            template = self.template.url
            return HttpResult(template, 0, {}, b"", str(exc), intended, now, now, 0.0, 0.0)
        return self.discovery.get(url, name=self.queries.name, intended=intended)


class Creator(LivefireUser):
    """Pushes its own live stream to ingest at real-time pace; reconnects through the route."""

    @task
    def push(self) -> None:
        stream = f"creator-{self.name.rsplit('-', 1)[-1]}"
        if self.config.creator_protocol == "rtmp":
            if not self.config.creator_url:
                raise RuntimeError("load.creator_protocol rtmp needs load.creator_url")
            session = CreatorSession("", stream, self.recorder, self.environment.events.request)
            session.run_rtmp_forever(self.config.creator_url)
        if not self.config.origin_url:
            raise RuntimeError("the target has no ingest route (origin)")
        user = UserHttp(
            self.config, self.name, self.environment.events.request, self.worker_index()
        )
        CreatorSession(
            self.config.origin_url, stream, self.recorder, self.environment.events.request, user
        ).run_forever()
