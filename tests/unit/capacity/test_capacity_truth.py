"""The capacity stub's truth: the closed forms the integration tests are judged against."""

from __future__ import annotations

import math

import pytest
from livefire_stubs.capacity_truth import (
    crossing_rate,
    erlang_c,
    response_percentile,
    usl_throughput,
)

from livefire.cli import build_parser


def test_erlang_c_matches_known_values() -> None:
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = ρ
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_percentiles_of_an_idle_and_a_single_server_queue() -> None:
    assert response_percentile(95, 0.0, 25, 16) == pytest.approx(math.log(20) / 25)
    # M/M/1: T ~ Exp(μ - λ)
    assert response_percentile(95, 10, 25, 1) == pytest.approx(math.log(20) / 15)
    assert response_percentile(95, 400, 25, 16) == math.inf


def test_the_crossing_is_where_the_percentile_meets_the_slo() -> None:
    rate = crossing_rate(95, 0.140, 25, 16)
    assert rate == pytest.approx(355.3, abs=0.1)
    assert response_percentile(95, rate, 25, 16) == pytest.approx(0.140, rel=1e-6)
    assert crossing_rate(95, 0.100, 25, 16) == 0.0  # below the bare service p95: never met


def test_usl_curve() -> None:
    assert usl_throughput(1, 25, 0.1, 0.01) == pytest.approx(25)
    assert usl_throughput(10, 25, 0.1, 0.01) == pytest.approx(250 / (1 + 0.9 + 0.9))


def test_capacity_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["capacity", "--help"])
    out = capsys.readouterr().out
    assert "--replan RUN_DIR" in out and "examples:" in out and "4 inconclusive" in out
