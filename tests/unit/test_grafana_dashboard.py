"""ci/grafana/livefire-live.json reads only what livefire exports: every panel query, the
fault annotation query and the scenario variable name metrics (and labels) that a LiveMetrics
registry fed the Tracker's Ticks of a run with a fault actually serves; every SLI has a panel."""

from __future__ import annotations

import re

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from livefire.base import telemetry as tm
from livefire.livemetrics import LiveMetrics, sli_metric
from livefire.progress import Tracker
from livefire.timeline import PlannedFault
from livefire.verdict.slis import SLIS
from tests import grafana

F0 = PlannedFault("f0", 0, "edge-latency", "edge-apac", 2.0, 4.0, 40.0)


def exported() -> dict[str, set[str]]:
    """Metric name → its labels, as scraped from a registry fed a run's Ticks."""
    live, tracker = LiveMetrics(), Tracker(10.0, 1)
    live.begin("smoke", promises={("stream_latency_p95", "overall"): 0.25})
    for t in range(1, 7):
        if t == 2:
            tracker.injected(F0, 1000.0 + t, ok=True)
        if t == 4:
            tracker.reverted("f0", 1000.0 + t)
        second = tm.Second(t)
        second.observe(tm.STREAM_LATENCY, 0.2)
        second.count(tm.USERS, 10)
        live.update(tracker.tick(float(t), ["f0"] if 2 <= t < 4 else [], "", [second], 10))
    text = generate_latest(live.registry).decode()
    names: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            names.setdefault(sample.name, set()).update(sample.labels)
    return names


def test_every_panel_query_names_an_exported_metric() -> None:
    names = exported()
    queries = list(grafana.panel_queries(grafana.load()))
    assert len(queries) >= 20
    for title, expr in queries:
        read = grafana.metric_names(expr)
        assert read, f"panel {title!r}: no metric in {expr!r}"
        assert read <= set(names), f"panel {title!r}: {read - set(names)} not exported"
        for metric, labels in grafana.selectors(expr):
            assert labels <= names[metric], f"panel {title!r}: {metric} has no {labels}"


def test_every_sli_is_on_the_dashboard() -> None:
    read = set().union(*(grafana.metric_names(e) for _, e in grafana.panel_queries(grafana.load())))
    missing = {sli_metric(SLIS.get(n)) for n in SLIS} - read
    assert not missing


def test_the_fault_annotation_reads_the_fault_gauge_and_its_labels() -> None:
    names = exported()
    [faults] = grafana.annotation_queries(grafana.load())
    assert grafana.metric_names(faults["expr"]) == {"livefire_fault_active"}
    used = set(re.findall(r"\{\{(\w+)\}\}", faults["titleFormat"] + faults["textFormat"]))
    used |= set(faults["tagKeys"].split(","))
    assert used <= names["livefire_fault_active"], used - names["livefire_fault_active"]


def test_the_scenario_variable_reads_an_exported_label() -> None:
    names = exported()
    [query] = grafana.variable_queries(grafana.load())
    metric, label = grafana.LABEL_VALUES.fullmatch(query).groups()  # type: ignore[union-attr]
    assert label in names[metric]


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('livefire_users{scenario=~"$scenario"}', {"livefire_users"}),
        ("sum by (scenario) (rate(livefire_x_total[5m])) > 0", {"livefire_x_total"}),
        (
            'livefire_phase{phase="ended"} == 1 and on (scenario) livefire_up',
            {
                "livefire_phase",
                "livefire_up",
            },
        ),
        ("livefire_a * 1e3 + livefire_b offset 5m", {"livefire_a", "livefire_b"}),
        ("livefire_sli_stream_latncy_p95_seconds", {"livefire_sli_stream_latncy_p95_seconds"}),
    ],
)
def test_metric_names_are_read_out_of_promql(expr: str, names: set[str]) -> None:
    assert grafana.metric_names(expr) == names


def test_a_misspelt_metric_is_caught() -> None:
    assert not grafana.metric_names("livefire_sli_stream_latncy_p95_seconds") <= set(exported())


def test_label_matchers_are_read_out_of_promql() -> None:
    expr = 'livefire_slo{scenario=~"$scenario", sli!="x", phase="overall"} > livefire_users{}'
    assert grafana.selectors(expr) == [
        ("livefire_slo", {"scenario", "sli", "phase"}),
        ("livefire_users", set()),
    ]
