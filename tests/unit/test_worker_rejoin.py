"""`livefire worker --forever`: worker processes rejoin with backoff until told to stop
(fake processes and a fake clock; nothing is started)."""

from __future__ import annotations

import threading

from livefire.cli import build_parser
from livefire.cli.worker import MAX_BACKOFF_S, backoff, rejoin


class FakeProcess:
    def __init__(self, clock: list[float], lives_s: float) -> None:
        self.clock, self.ends = clock, clock[0] + lives_s
        self.terminated = False

    def poll(self) -> int | None:
        return 0 if self.terminated or self.clock[0] >= self.ends else None

    def terminate(self) -> None:
        self.terminated = True

    def kill(self) -> None:
        self.terminated = True

    def wait(self, timeout: float | None = None) -> int:
        return 0


def test_backoff_doubles_while_exits_are_quick_and_resets_after_a_run() -> None:
    waits, previous = [], 0.0
    for _ in range(7):
        previous = backoff(previous, uptime=2.0)  # no master yet: each try fails fast
        waits.append(previous)
    assert waits == [1, 2, 4, 8, 16, 30, 30] and MAX_BACKOFF_S == 30
    assert backoff(30.0, uptime=300.0) == 1.0  # a whole run, then the master quit


def test_workers_rejoin_after_each_exit_and_all_stop_on_request() -> None:
    clock, stop = [0.0], threading.Event()
    lives = iter(
        [100.0, 2.0, 2.0, 2.0] + [1e9] * 10
    )  # a run, then three quick failures: waits 1, 2, 4, 8 s
    started: list[tuple[float, FakeProcess]] = []

    def start() -> FakeProcess:
        proc = FakeProcess(clock, next(lives))
        started.append((clock[0], proc))
        return proc

    def wait(seconds: float) -> None:
        clock[0] += seconds
        if clock[0] >= 200:
            stop.set()  # SIGTERM

    rejoin(start, 1, stop, clock=lambda: clock[0], wait=wait)
    assert [round(t, 1) for t, _ in started] == [0.0, 101.0, 105.0, 111.0, 121.0]
    assert started[-1][1].terminated and stop.is_set()


def test_forever_and_rejoin_are_the_same_option() -> None:
    parser = build_parser()
    for flag in ("--forever", "--rejoin"):
        assert parser.parse_args(["worker", "--master", "m:5557", flag]).forever
    assert not parser.parse_args(["worker", "--master", "m:5557"]).forever
