from loadgen.player import PlayerBuffer


def test_steady_arrivals_never_stall() -> None:
    player = PlayerBuffer()
    for i in range(10):
        assert player.segment_arrived(1.0, now=100.0 + i) is None
    assert player.stalls == []
    assert player.watched == 9.0


def test_late_segment_is_a_stall_of_the_right_length() -> None:
    player = PlayerBuffer()
    player.segment_arrived(1.0, now=0.0)
    player.segment_arrived(1.0, now=1.0)
    stall = player.segment_arrived(1.0, now=3.5)  # buffer ran dry at 2.0
    assert stall is not None and (stall.start, stall.end) == (2.0, 3.5)
    assert player.rebuffering_ratio == 1.5 / (2.0 + 1.5)


def test_one_long_stall_observed_twice_is_one_stall() -> None:
    player = PlayerBuffer()
    player.segment_arrived(1.0, now=0.0)
    player.advance(2.0)
    player.segment_arrived(1.0, now=4.0)
    assert len(player.stalls) == 1
    assert player.stalled_seconds == 3.0


def test_stalled_for_sees_an_ongoing_stall_without_changing_state() -> None:
    player = PlayerBuffer()
    assert player.stalled_for(5.0) == 0.0  # not playing yet
    player.segment_arrived(1.0, now=0.0)
    assert player.stalled_for(0.5) == 0.0
    assert player.stalled_for(4.0) == 3.0
    player.advance(3.0)  # the stall is recorded up to 3.0 ...
    assert player.stalled_for(4.0) == 3.0  # ... and still counted whole, from 1.0
    assert len(player.stalls) == 1


def stalled_ms(taken: dict[int, tuple[float, float]]) -> dict[int, int]:
    return {t: round(s * 1000) for t, (_, s) in taken.items() if s}


def test_a_stall_is_booked_into_every_second_it_lasted_as_ticks_see_it() -> None:
    player = PlayerBuffer()
    player.segment_arrived(1.0, now=100.0)
    player.segment_arrived(1.0, now=100.4)  # 2 s buffered: dry at 102.0
    assert stalled_ms(player.take(101.0).seconds) == {}
    first = player.take(103.5)  # a tick while still stalled
    assert stalled_ms(first.seconds) == {102: 1000, 103: 500}
    assert [(s.start, s.end) for s in first.new_stalls] == [(102.0, 103.5)]
    assert player.segment_arrived(1.0, now=104.25) is player.stalls[0]  # it ends the stall
    last = player.take(104.25)
    assert stalled_ms(last.seconds) == {103: 500, 104: 250} and last.new_stalls == []
    played = {t: round(p * 1000) for t, (p, _) in first.seconds.items() if p}
    assert played == {101: 1000}


def test_an_arrival_just_after_a_tick_saw_the_stall_still_ends_it() -> None:
    player = PlayerBuffer()
    player.segment_arrived(1.0, now=10.0)
    player.take(11.5)  # the tick runs first and sees the buffer dry since 11.0
    stall = player.segment_arrived(1.0, now=11.4)  # stamped at its last byte, before the tick
    assert stall is not None and stall.seconds == 0.5
    assert player.stalled_for(11.6) == 0.0


def test_a_stall_still_going_when_the_session_ends_is_booked_to_that_moment() -> None:
    player = PlayerBuffer()
    player.segment_arrived(1.0, now=50.5)
    taken = player.take(53.2)  # abandoned, or stopped by Locust: no segment ever ends it
    assert stalled_ms(taken.seconds) == {51: 500, 52: 1000, 53: 200}
    assert player.take(53.2).seconds == {}  # nothing handed over twice


def test_many_small_takes_book_their_total_not_their_rounded_sum() -> None:
    """A second taken in a thousand 0.6 ms slices is 600 ms, not a thousand rounded-up 1 ms
    (a second read 1001 ms stalled in a real run before this)."""
    from livefire.base import telemetry as tm
    from loadgen.recorder import Recorder
    from loadgen.viewer import ViewerSession

    recorder = Recorder("w")
    session = ViewerSession(None, recorder, "http://127.0.0.1:1/m.m3u8")  # type: ignore[arg-type]
    for _ in range(1000):
        session._book(tm.STALL_MS, 5, 0.0006)
    [second] = [s for s in recorder.drain(final=True, now=100.0).seconds if s.t == 5]
    assert second.counters[tm.STALL_MS] == 600
