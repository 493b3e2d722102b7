"""`metrics.prom`: the final verdict figures in the Prometheus text format.

Written for a node_exporter textfile collector (drop the file into its directory) or a
Pushgateway (`curl --data-binary @metrics.prom $PUSHGATEWAY/metrics/job/livefire`). Both refuse
sample timestamps, so none are written; every sample carries the scenario, so files from several
scenarios can sit side by side. Measured figures are in base units (seconds, ratios);
a check that measured nothing has no `measured` sample rather than a made-up one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CollectorRegistry, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest

from livefire.reports.base import Report, ReportFormat, checks, duration_s, priced, register

CHECK_LABELS = ["scenario", "promise", "phase"]
RECOVERY_LABELS = ["scenario", "fault_id", "sli"]
UNITS = {"s": "seconds", "ratio": "ratio", "count": "count"}


class _ReportCollector:
    """A one-shot collector over a finished report; never registered globally."""

    def __init__(self, report: Report) -> None:
        self.report = report

    def collect(self) -> Iterator[Metric]:
        yield from _run_metrics(self.report)
        yield from _check_metrics(self.report)
        yield from _recovery_metrics(self.report)
        yield from _cost_metrics(self.report)
        yield from _budget_metrics(self.report)


def render(report: Report) -> str:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ReportCollector(report))
    return generate_latest(registry).decode()


def _run_metrics(report: Report) -> Iterator[Metric]:
    scenario = str(report.get("scenario", ""))
    info = GaugeMetricFamily(
        "livefire_run_info",
        "The run's status and result, as labels",
        labels=["scenario", "status", "result"],
    )
    info.add_metric([scenario, str(report.get("status", "")), str(report.get("result", ""))], 1)
    passed = GaugeMetricFamily(
        "livefire_run_passed", "1 if every promise held, else 0", labels=["scenario"]
    )
    passed.add_metric([scenario], 1 if report.get("result") == "pass" else 0)
    yield from (info, passed)
    for key, help_text in (("started", "start"), ("ended", "end")):
        if isinstance(report.get(key), int | float):
            metric = GaugeMetricFamily(
                f"livefire_run_{key}_timestamp_seconds",
                f"The run's {help_text}, Unix time",
                labels=["scenario"],
            )
            metric.add_metric([scenario], float(report[key]))
            yield metric
    if (seconds := duration_s(report)) is not None:
        metric = GaugeMetricFamily(
            "livefire_run_duration_seconds", "How long the run took", labels=["scenario"]
        )
        metric.add_metric([scenario], seconds)
        yield metric
    reverts = GaugeMetricFamily(
        "livefire_revert_failures", "Faults that could not be reverted", labels=["scenario"]
    )
    reverts.add_metric([scenario], len(report.get("revert_failures") or []))
    yield reverts


def _check_metrics(report: Report) -> Iterator[Metric]:
    scenario = str(report.get("scenario", ""))
    passed = GaugeMetricFamily(
        "livefire_check_passed", "1 if the promise held in this phase, else 0", labels=CHECK_LABELS
    )
    measured = GaugeMetricFamily(
        "livefire_check_measured",
        "What was measured, in base units (seconds, ratio or count)",
        labels=[*CHECK_LABELS, "unit"],
    )
    threshold = GaugeMetricFamily(
        "livefire_check_threshold",
        "The promise, in base units (seconds, ratio or count)",
        labels=[*CHECK_LABELS, "unit"],
    )
    for check in checks(report):
        labels = [scenario, str(check.get("promise", "")), str(check.get("phase", ""))]
        unit = UNITS.get(str(check.get("unit", "")), "")
        passed.add_metric(labels, 1 if check.get("passed") else 0)
        if _is_number(check.get("measured")):
            measured.add_metric([*labels, unit], float(check["measured"]))
        if _is_number(check.get("threshold")):
            threshold.add_metric([*labels, unit], float(check["threshold"]))
    yield from (passed, measured, threshold)


def _recovery_metrics(report: Report) -> Iterator[Metric]:
    rows = report.get("recovery") or []
    if not rows:
        return
    scenario = str(report.get("scenario", ""))
    seconds = GaugeMetricFamily(
        "livefire_recovery_seconds",
        "Time for the SLI to recover from the fault",
        labels=RECOVERY_LABELS,
    )
    budget = GaugeMetricFamily(
        "livefire_recovery_budget_seconds", "The promised recovery time", labels=RECOVERY_LABELS
    )
    recovered = GaugeMetricFamily(
        "livefire_recovery_recovered",
        "1 if the SLI recovered before the run ended",
        labels=RECOVERY_LABELS,
    )
    for row in rows:
        labels = [scenario, str(row.get("fault_id", "")), str(row.get("sli", ""))]
        recovered.add_metric(labels, 1 if _is_number(row.get("seconds")) else 0)
        if _is_number(row.get("seconds")):
            seconds.add_metric(labels, float(row["seconds"]))
        if _is_number(row.get("budget_s")):
            budget.add_metric(labels, float(row["budget_s"]))
    yield from (seconds, budget, recovered)


def _cost_metrics(report: Report) -> Iterator[Metric]:
    """What each fault's impact would have cost in production, and the total (information,
    not a promise: `livefire_run_passed` never depends on it)."""
    cost = report.get("cost")
    if not isinstance(cost, dict):
        return
    scenario = str(report.get("scenario", ""))
    labels = ["scenario", "fault_id", "fault", "severity"]
    usd = GaugeMetricFamily(
        "livefire_fault_cost_usd",
        "$ per hour x hours in breach x share of users affected (platform-wide figures)",
        labels=labels,
    )
    breach = GaugeMetricFamily(
        "livefire_fault_breach_seconds", "Seconds outside a promise after the fault", labels=labels
    )
    share = GaugeMetricFamily(
        "livefire_fault_users_affected_ratio", "Mean share of users affected", labels=labels
    )
    for row in priced(report):
        values = [scenario, str(row.get("fault_id", "")), str(row.get("fault", ""))]
        values.append(str(row.get("severity", "")))
        for family, key in ((usd, "cost_usd"), (breach, "breach_s"), (share, "share")):
            if _is_number(row.get(key)):
                family.add_metric(values, float(row[key]))
    total = GaugeMetricFamily(
        "livefire_run_cost_usd", "Every fault's cost in production, summed", labels=["scenario"]
    )
    if _is_number(cost.get("total_usd")):
        total.add_metric([scenario], float(cost["total_usd"]))
    yield from (usd, breach, share, total)


def _budget_metrics(report: Report) -> Iterator[Metric]:
    """Each stage of the latency budget (information, like cost); nothing when the platform
    stamped no segment."""
    section = report.get("latency_budget")
    if not isinstance(section, dict):
        return
    scenario = str(report.get("scenario", ""))
    labels = ["scenario", "stage"]
    seconds = GaugeMetricFamily(
        "livefire_stage_latency_seconds",
        "A segment's time in one stage (X-Stage-Times), by quantile",
        labels=[*labels, "quantile"],
    )
    mean = GaugeMetricFamily(
        "livefire_stage_latency_mean_seconds", "A segment's mean time in one stage", labels=labels
    )
    budget = GaugeMetricFamily(
        "livefire_stage_budget_seconds", "The stage's documented budget", labels=labels
    )
    rows = list(section.get("stages") or [])
    if isinstance(section.get("total"), dict):
        rows.append(section["total"])
    for row in rows:
        stage = [scenario, str(row.get("name", ""))]
        for quantile, key in (("0.5", "p50_ms"), ("0.95", "p95_ms")):
            if _is_number(row.get(key)):
                seconds.add_metric([*stage, quantile], round(float(row[key]) / 1000, 6))
        for family, key in ((mean, "mean_ms"), (budget, "budget_ms")):
            if _is_number(row.get(key)):
                family.add_metric(stage, round(float(row[key]) / 1000, 6))
    yield from (seconds, mean, budget)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


FORMAT = register(
    ReportFormat(
        "prometheus", "metrics.prom", render, "Prometheus text format, for textfile or Pushgateway"
    )
)
