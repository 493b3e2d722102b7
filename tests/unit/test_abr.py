from loadgen.abr import Abr

LADDER = [400_000, 1_500_000, 3_000_000]


def test_starts_low_and_climbs_one_step_per_hold_with_headroom() -> None:
    abr = Abr(LADDER, hold=5.0)
    assert abr.decide(buffer_s=2.0, now=0.0) == 0  # no estimate yet
    abr.observe(1_000_000, 0.1)  # 80 Mbit/s
    assert abr.decide(2.0, now=1.0) == 1
    assert abr.decide(2.0, now=3.0) == 1  # hysteresis: not again within 5 s
    assert abr.decide(2.0, now=6.5) == 2


def test_no_step_up_on_an_empty_buffer() -> None:
    abr = Abr(LADDER)
    abr.observe(1_000_000, 0.1)
    assert abr.decide(buffer_s=0.2, now=10.0) == 0


def test_steps_down_when_throughput_falls_short_or_on_a_stall() -> None:
    abr = Abr(LADDER, index=2)
    abr.observe(300_000, 1.0)  # 2.4 Mbit/s < 3 Mbit/s × 1.1
    assert abr.decide(2.0, now=10.0) == 1
    abr = Abr(LADDER, index=1)
    abr.observe(10_000_000, 0.1)
    assert abr.decide(2.0, now=10.0, stalled=True) == 0
