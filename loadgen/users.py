"""Locust user classes. Locust stays the engine: its user count, spawn rate and shape mean
these users, and every request reaches its request event (web UI, CSV stats)."""

from __future__ import annotations

import random
from functools import cache

import gevent
from locust import User, constant, task

from livefire import telemetry as tm
from loadgen import shipping
from loadgen.config import LoadConfig
from loadgen.http import LeanHttpClient
from loadgen.viewer import SessionLost, ViewerSession, pick_master_url


@cache
def _config(text: str) -> LoadConfig:
    return LoadConfig.from_json(text)


def config_of(user: User) -> LoadConfig:
    return _config(user.environment.parsed_options.livefire_config)


class Viewer(User):
    """Watches a live stream; starts at a random offset so viewers are never in lock-step."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.config = config_of(self)
        self.rng = random.Random()
        self.client = LeanHttpClient(timeout=10.0, request_event=self.environment.events.request)
        self.recorder = shipping.SHIPPER.recorder if shipping.SHIPPER else None
        gevent.sleep(self.rng.uniform(0, self.config.spawn_jitter))

    def on_stop(self) -> None:
        self.client.close()

    @task
    def watch(self) -> None:
        assert self.recorder is not None
        _, url = pick_master_url(self.config.master_urls, self.config.region_shares, self.rng)
        session = ViewerSession(self.client, self.recorder, url)
        try:
            session.run()
        except SessionLost:
            self.recorder.count(tm.SESSION_RESTARTS)
