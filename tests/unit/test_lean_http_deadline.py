"""The deadline watchdog on a gevent hub, with no sockets: sleeps stand in for blocked reads."""

from __future__ import annotations

import time

import gevent
import pytest

from loadgen.http.deadline import PERIOD, DeadlineExceeded, watchdog


def test_deadline_interrupts_a_blocked_greenlet_on_time() -> None:
    guard = watchdog()

    def blocked() -> float:
        started = time.monotonic()
        guard.watch(started + 0.1)
        try:
            gevent.sleep(2)
        except DeadlineExceeded:
            return time.monotonic() - started
        finally:
            guard.unwatch()
        return -1.0

    job = gevent.spawn(blocked)
    job.join(timeout=3)
    assert job.value == pytest.approx(0.1, abs=PERIOD + 0.03)


def test_unwatched_greenlets_are_left_alone() -> None:
    guard = watchdog()

    def quick() -> str:
        guard.watch(time.monotonic() + 0.05)
        gevent.sleep(0.01)
        guard.unwatch()
        gevent.sleep(0.15)  # past the old deadline: must not be interrupted
        return "done"

    jobs = [gevent.spawn(quick) for _ in range(20)]
    gevent.joinall(jobs, timeout=3)
    assert [job.value for job in jobs] == ["done"] * 20
