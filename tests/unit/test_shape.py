import pytest

from loadgen.shape import fraction_at, users_at

SHAPE = [{"ramp": 10.0, "to": 1.0}, {"hold": 20.0}, {"ramp": 10.0, "to": 4.0}]


@pytest.mark.parametrize(
    ("t", "expected"), [(0, 0.0), (5, 0.5), (10, 1.0), (29.9, 1.0), (35, 2.5), (40, 4.0), (99, 4.0)]
)
def test_fraction_follows_ramps_and_holds(t: float, expected: float) -> None:
    assert fraction_at(SHAPE, t) == pytest.approx(expected)


def test_empty_shape_ramps_to_full_load_in_ten_seconds() -> None:
    assert fraction_at([], 5.0) == pytest.approx(0.5)
    assert fraction_at([], 50.0) == 1.0


def test_users_scale_per_kind() -> None:
    assert users_at({"viewer": 400, "chatter": 40}, 0.25) == {"viewer": 100, "chatter": 10}
