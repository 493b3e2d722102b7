"""Telemetry shipping over Locust's own messaging: workers send a numbered batch of complete
seconds every second (an empty batch doubles as a heartbeat), and a final one when the test
stops; the master appends every batch it receives to `RUN_DIR/telemetry/batches.jsonl` (the
durable record), merges it at once into its running series (per second, across workers, each
(worker, seq) once: `livefire.base.merging`), and when the test ends writes that series to
`series.jsonl` with `run.json` beside it, so the verdict starts from a merged series.

The final batch waits for the run to drain: what a request finds is stamped at its intended
send time, so a gift acknowledged, or a segment request timing out, after the judged run ended
may still belong to a judged second. On the master's FLUSH a worker keeps its users running for
`DRAIN_MIN_S` (late chat receipts, one more booking tick of every viewer) and then until every
request sent before the flush has ended or passed its deadline (at most `DRAIN_MAX_S`), and only
then ships its final batch. What still arrives later goes in the stop drain's batch.

While it ships, a worker also watches its own health: a greenlet sleeps `STALL_PROBE_S` at a
time and records how late it woke as `event_loop_stall` (a busy or starved gevent hub delays
every timer and every receipt timestamp alike), and sets the `users` gauge to the runner's
user count; and the clock probe (`loadgen.clock_probe`) narrows the worker's clock bound.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import gevent
from locust.env import Environment
from locust.runners import STATE_MISSING, LocalRunner, MasterRunner, WorkerRunner

from livefire.base import telemetry as tm
from livefire.base.merging import RunningSeries, write_run
from livefire.base.telemetry import Batch
from loadgen.clock_probe import ClockProbe
from loadgen.config import LoadConfig
from loadgen.recorder import Recorder

MESSAGE = "livefire_telemetry"
FLUSH = "livefire_flush"  # master → workers: ship everything now, the judged run is over
SHIPPER: Shipper | None = None  # this process's shipper, installed by the locustfile
FINAL_WAIT_S = 5.0  # how long the master waits for final batches, beyond the drain
DRAIN_MIN_S = 1.0
DRAIN_MAX_S = 15.0  # the longest request timeout (a viewer's 10 s) with room to spare
STALL_PROBE_S = 0.1
log = logging.getLogger(__name__)


class Shipper:
    """Installed once per Locust process by the locustfile's `init` listener."""

    def __init__(self, environment: Environment, run_dir: Path | None) -> None:
        self.environment = environment
        runner = environment.runner
        worker = getattr(runner, "client_id", None) or "local"
        self.recorder = Recorder(str(worker))
        self.clock_probe = ClockProbe(self.recorder.clock, environment.events.request)
        self.dir = run_dir / "telemetry" if run_dir else None
        self.finals: set[str] = set()
        self.workers: set[str] = set()
        self.running = RunningSeries()
        self._out: Any = None  # batches.jsonl, open for appending
        self._written = -1  # how much of batches.jsonl the last series written covers
        self._loop: gevent.Greenlet | None = None
        self._probe: gevent.Greenlet | None = None
        self._clock: gevent.Greenlet | None = None
        events = environment.events
        if isinstance(runner, MasterRunner):
            runner.register_message(MESSAGE, self._received)
            events.test_start.add_listener(self._master_started)
            events.test_stop.add_listener(self._master_stopped)
            events.quit.add_listener(self._master_quit)
        else:
            events.test_start.add_listener(self._start_shipping)
            events.test_stop.add_listener(self._stop_shipping)
            if isinstance(runner, WorkerRunner):
                runner.register_message(FLUSH, self._flush)
            if isinstance(runner, LocalRunner):
                events.test_start.add_listener(self._master_started)

    # worker side ---------------------------------------------------------------------------
    def _start_shipping(self, **_: Any) -> None:
        self._limits()
        if self._loop is None:
            self._loop = gevent.spawn(self._ship_every_second)
        if self._probe is None:
            self._probe = gevent.spawn(self._watch_the_loop)
        if self._clock is None:
            self._clock = gevent.spawn(self.clock_probe.run)

    def _limits(self) -> None:
        """The run's generator-health limits (the master forwards the options at start)."""
        text = getattr(self.environment.parsed_options, "livefire_config", "")
        if text:
            config = LoadConfig.from_json(text)
            self.recorder.max_lag = config.max_schedule_lag_p99
            self.recorder.max_stall = config.max_event_loop_stall

    def _watch_the_loop(self) -> None:
        sampled = 0  # the last second the audience was sampled in: once each second
        while True:
            before = time.monotonic()
            gevent.sleep(STALL_PROBE_S)
            woke = time.time()
            late = time.monotonic() - before - STALL_PROBE_S
            self.recorder.observe(tm.EVENT_LOOP_STALL, max(0.0, late), at=woke)
            runner = self.environment.runner
            users = runner.user_count if runner is not None else 0
            self.recorder.gauge(tm.USERS, users, at=woke)
            if int(woke) != sampled:
                sampled = int(woke)
                self.recorder.sample_audience(woke)

    def _ship_every_second(self) -> None:
        while True:
            gevent.sleep(1.0)
            self._send(self.recorder.drain())

    def _flush(self, environment: Environment, msg: Any, **_: Any) -> None:
        gevent.spawn(self._final_after_drain)  # never block Locust's message loop

    def _final_after_drain(self) -> None:
        self._drain_in_flight()
        self._send(self.recorder.drain(final=True))

    def _drain_in_flight(self) -> None:
        """Let the requests sent before now finish (see the module docstring)."""
        flushed = time.time()
        give_up = time.monotonic() + DRAIN_MAX_S
        gevent.sleep(DRAIN_MIN_S)
        while not self.recorder.settled(flushed, time.time()) and time.monotonic() < give_up:
            gevent.sleep(0.05)

    def _stop_shipping(self, **_: Any) -> None:
        for greenlet in (self._loop, self._probe, self._clock):
            if greenlet is not None:
                greenlet.kill(block=False)
        self._loop = self._probe = self._clock = None
        self._send(self.recorder.drain(final=True))
        if isinstance(self.environment.runner, LocalRunner):
            self._write_series()

    def _send(self, batch: Batch) -> None:
        runner = self.environment.runner
        if isinstance(runner, WorkerRunner):
            runner.send_message(MESSAGE, batch.to_json())
        else:
            self._store(batch.to_json())

    # master side ---------------------------------------------------------------------------
    def _master_started(self, **_: Any) -> None:
        if self.dir:
            self.dir.mkdir(parents=True, exist_ok=True)
            (self.dir / "started.json").write_text(json.dumps({"t": time.time()}))

    def _received(self, environment: Environment, msg: Any, **_: Any) -> None:
        self._store(msg.data)

    def _store(self, data: dict[str, Any]) -> None:
        self.workers.add(str(data["worker"]))
        if data.get("final"):
            self.finals.add(str(data["worker"]))
        if self.dir:
            if self._out is None:
                self._out = (self.dir / "batches.jsonl").open("a")
            self._out.write(json.dumps({"received": time.time(), **data}) + "\n")
            self._out.flush()  # whole lines on disk: a killed master loses at most one
            self.running.add(Batch.from_json(data))

    def flush(self) -> None:
        """At the end of the judged run, before Locust quits: ask every live worker for its
        final batch, sent once its in-flight requests drained, and wait for them (Locust's own
        quit leaves workers only 0.5 s), then write the merged series. Workers that died are
        not waited for: they are gaps."""
        runner = self.environment.runner
        if isinstance(runner, MasterRunner):
            self.finals.clear()
            live = {c.id for c in runner.clients.all if c.state != STATE_MISSING}
            runner.send_message(FLUSH)
            deadline = time.monotonic() + DRAIN_MAX_S + FINAL_WAIT_S
            while live - self.finals and time.monotonic() < deadline:
                gevent.sleep(0.05)
            if live - self.finals:
                log.warning("no final telemetry from workers %s", sorted(live - self.finals))
        elif isinstance(runner, LocalRunner):
            self._drain_in_flight()
            self._store(self.recorder.drain(final=True).to_json())
        self._write_series()

    def _master_stopped(self, **_: Any) -> None:
        self._write_series()  # again: anything that arrived since the flush

    def _master_quit(self, **_: Any) -> None:
        self._write_series()  # and once Locust stopped receiving: the series covers it all

    def _write_series(self) -> None:
        """series.jsonl and run.json from the running merge (a no-op when nothing new came)."""
        if not self.dir:
            return
        offset = self._out.tell() if self._out is not None else 0
        if offset != self._written:
            write_run(self.dir, self.running, offset)
            self._written = offset
