"""The PromQL probe against Debian's real Prometheus on loopback (scraping itself)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from livefire.probes import read_once
from livefire.scenario.probes import ProbeSpec
from tests.prometheus_server import PrometheusServer, free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    directory = tmp_path_factory.mktemp("prometheus")
    # a second job that never answers: `up` then has two series, one of them 0
    with PrometheusServer(directory, {"nothing": [f"127.0.0.1:{free_port()}"]}) as server:
        server.wait_for('up{job="self"} == 1')
        server.wait_for('up{job="nothing"} == 0')
        yield server
    assert server.process.poll() is not None


def probe(url: str, query: str) -> ProbeSpec:
    return ProbeSpec.model_validate({"prometheus": {"url": url, "query": query, "timeout": 3}})


def test_an_instant_query_reads_its_one_value(prometheus: PrometheusServer) -> None:
    sample = read_once("up", probe(prometheus.url, 'up{job="self"}'))
    assert sample.value == 1.0 and sample.error == ""
    down = read_once("down", probe(prometheus.url, 'sum(up{job="nothing"})'))
    assert down.value == 0.0


def test_a_scalar_is_a_value_too(prometheus: PrometheusServer) -> None:
    assert read_once("s", probe(prometheus.url, "scalar(vector(2.5))")).value == 2.5


def test_no_series_is_no_data(prometheus: PrometheusServer) -> None:
    sample = read_once("x", probe(prometheus.url, 'up{job="no-such-job"}'))
    assert sample.value is None and "no series" in sample.error


def test_several_series_are_no_data_until_aggregated(prometheus: PrometheusServer) -> None:
    sample = read_once("x", probe(prometheus.url, "up"))
    assert sample.value is None and "returned 2 series" in sample.error
    assert read_once("x", probe(prometheus.url, "count(up)")).value == 2.0


def test_a_query_prometheus_refuses_is_no_data_with_its_reason(
    prometheus: PrometheusServer,
) -> None:
    sample = read_once("x", probe(prometheus.url, "sum(up"))
    assert sample.value is None
    assert "HTTP 400" in sample.error and "parse error" in sample.error


def test_an_unreachable_prometheus_is_no_data(tmp_path: Path) -> None:
    sample = read_once("x", probe(f"http://127.0.0.1:{free_port()}", "up"))
    assert sample.value is None and "unreachable" in sample.error
