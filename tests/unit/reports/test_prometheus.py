"""metrics.prom: parsed back with prometheus_client's own text parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from livefire.reports import render
from tests.unit.reports.conftest import Report

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(report: Report) -> Samples:
    text = render(report, "prometheus")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def labels(promise: str, phase: str, **extra: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({"scenario": "smoke", "promise": promise, "phase": phase, **extra}.items()))


def test_verdict_figures_parse(sample: Report) -> None:
    got = samples(sample)
    for check in sample["checks"]:
        key = labels(check["promise"], check["phase"])
        assert got[("livefire_check_passed", key)] == 1.0
        measured = got[
            ("livefire_check_measured", labels(check["promise"], check["phase"], unit=""))
        ]
        assert measured == check["measured"]
    assert got[("livefire_run_passed", (("scenario", "smoke"),))] == 1.0
    assert 60 < got[("livefire_run_duration_seconds", (("scenario", "smoke"),))] < 80


def test_broken_promise_is_zero_and_no_data_has_no_measured_sample(full: Report) -> None:
    got = samples(full)
    assert got[("livefire_check_passed", labels("stream_latency_p99", "overall"))] == 0.0
    assert not any(
        name == "livefire_check_measured" and ("promise", "stream_latency_p99") in key
        for name, key in got
    )
    latency = labels("stream_latency_p95", "overall", unit="seconds")
    assert got[("livefire_check_threshold", latency)] == 0.8
    assert got[("livefire_run_passed", (("scenario", "smoke"),))] == 0.0


def test_recovery_figures(full: Report) -> None:
    got = samples(full)
    key = (("fault_id", "f0"), ("scenario", "smoke"), ("sli", "stream_latency_p95"))
    assert got[("livefire_recovery_seconds", key)] == 2.5
    assert got[("livefire_recovery_budget_seconds", key)] == 45.0
    chat = (("fault_id", "f0"), ("scenario", "smoke"), ("sli", "chat_delivered_within_100ms"))
    assert got[("livefire_recovery_recovered", chat)] == 0.0
    assert ("livefire_recovery_seconds", chat) not in got


def test_no_timestamps_for_textfile_collector_and_pushgateway(full: Report) -> None:
    for family in text_string_to_metric_families(render(full, "prometheus")):
        assert all(s.timestamp is None for s in family.samples)


def test_lost_gifts_are_a_count_not_seconds(sample: Report) -> None:
    sample["checks"].append(
        {
            "promise": "gifts_lost",
            "phase": "after_run",
            "threshold": 0,
            "measured": 2,
            "passed": False,
            "expected": "<= 0",
            "found": "2 (k1, k2)",
            "unit": "count",
        }
    )
    got = samples(sample)
    assert got[("livefire_check_measured", labels("gifts_lost", "after_run", unit="count"))] == 2
