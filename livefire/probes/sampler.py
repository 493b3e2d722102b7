"""The probe sampler: one daemon thread per probe, each reading its probe every `every`
seconds (on a fixed schedule from its start, not drifting by how long a reading took) and
appending each sample to `probes.jsonl` and to memory, where guards read it as the run goes.

The conductor starts it before the load and stops it after the last revert; `read_now` takes
an extra reading on the caller's thread (the steady-state check), recorded the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from livefire.base import probe_samples
from livefire.base.probe_samples import ProbeSample
from livefire.probes.readers import read_once
from livefire.scenario.probes import ProbeSpec

Read = Callable[[str, ProbeSpec, str], ProbeSample]


class Sampler:
    """`read`: how one reading is taken (tests give their own; the default does the I/O)."""

    def __init__(self, probes: Mapping[str, ProbeSpec], path: Path, read: Read = read_once) -> None:
        self.probes = dict(probes)
        self.path = path
        self._read = read
        self._samples: list[ProbeSample] = []
        self._answering: dict[str, bool] = {}  # probe → whether its last reading had a value
        self._news: list[str] = []  # such changes, for the progress line (see `news`)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for name in self.probes:
            thread = threading.Thread(
                target=self._loop, args=(name,), name=f"probe-{name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop sampling; waits for readings in flight (each bounded by its timeout)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def samples(self) -> list[ProbeSample]:
        with self._lock:
            return list(self._samples)

    def news(self) -> list[str]:
        """What changed since the last call: a probe that stopped (or started again)
        giving values, once per change, for the operator watching the run."""
        with self._lock:
            news, self._news = self._news, []
            return news

    def read_now(self, name: str, tag: str = "") -> ProbeSample:
        sample = self._read(name, self.probes[name], tag)
        self._record(sample)
        return sample

    def _loop(self, name: str) -> None:
        every = self.probes[name].every
        due = time.monotonic()
        while not self._stop.is_set():
            self._record(self._read(name, self.probes[name], ""))
            due += every
            while due <= time.monotonic():  # a reading that took longer than `every`
                due += every
            self._stop.wait(due - time.monotonic())

    def _record(self, sample: ProbeSample) -> None:
        with self._lock:
            self._samples.append(sample)
            probe_samples.append(self.path, sample)
            before = self._answering.get(sample.probe, True)
            if sample.ok != before:
                why = "answering again" if sample.ok else f"no data: {sample.error}"
                self._news.append(f"probe {sample.probe}: {why}")
            self._answering[sample.probe] = sample.ok
