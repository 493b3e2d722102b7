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
