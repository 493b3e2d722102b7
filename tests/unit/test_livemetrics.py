"""The live gauges, fed real Ticks from the Tracker."""

from __future__ import annotations

import math

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from livefire.base import telemetry as tm
from livefire.cli.live import promises
from livefire.livemetrics import LiveMetrics, sli_metric
from livefire.progress import Tick, Tracker
from livefire.scenario.slos import Slos
from livefire.timeline import PlannedFault
from livefire.verdict.slis import SLIS

F0 = PlannedFault("f0", 0, "edge-latency", "edge-apac", 5.0, 10.0, 40.0)


def samples(live: LiveMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = generate_latest(live.registry).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def second(t: int) -> tm.Second:
    s = tm.Second(t)
    s.observe(tm.STREAM_LATENCY, 0.25)
    s.count(tm.REQUESTS, 100)
    s.count(tm.REQUEST_ERRORS, 2)
    s.count(tm.USERS, 40)
    return s


def test_ticks_become_gauges_per_sli_with_the_scenario_label() -> None:
    live = LiveMetrics()
    live.begin("smoke")
    live.update(Tracker(60.0, 1).tick(12.5, [], "", [second(1), second(2)], 38))
    got = samples(live)
    smoke = (("scenario", "smoke"),)
    assert got[("livefire_run_elapsed_seconds", smoke)] == 12.5
    assert got[("livefire_run_duration_seconds", smoke)] == 60.0
    assert got[("livefire_users", smoke)] == 40 and got[("livefire_users_planned", smoke)] == 38
    assert got[("livefire_sli_stream_latency_p95_seconds", smoke)] == pytest.approx(0.25, rel=1e-3)
    assert got[("livefire_sli_viewer_error_rate_ratio", smoke)] == 0.02
    assert math.isnan(got[("livefire_sli_chat_loss_ratio", smoke)])  # no data is a gap
    for name in SLIS:  # every SLI is exported
        assert (sli_metric(SLIS.get(name)), smoke) in got
    phases = {dict(k[1])["phase"]: v for k, v in got.items() if k[0] == "livefire_phase"}
    assert phases["before_faults"] == 1 and sum(phases.values()) == 1


def test_an_event_tick_keeps_the_last_figures() -> None:
    live = LiveMetrics()
    live.begin("smoke")
    live.update(Tracker(60.0, 1).tick(12.0, [], "", [second(1)]))
    live.update(Tick(12.4, 60.0, ("f0",), "inject f0 edge-latency on edge-apac"))
    got = samples(live)
    assert got[
        ("livefire_sli_stream_latency_p95_seconds", (("scenario", "smoke"),))
    ] == pytest.approx(0.25, rel=1e-3)
    assert got[("livefire_active_faults", (("scenario", "smoke"),))] == 1
    assert len(live.history) == 1  # only measured ticks are plotted


def test_faults_are_annotations_with_fault_and_target_labels() -> None:
    live, tracker = LiveMetrics(), Tracker(60.0, 1)
    live.begin("smoke")
    tracker.injected(F0, 1_700_000_000.0, ok=True)
    live.update(tracker.tick(5.0, ["f0"], "inject f0"))
    labels = (
        ("fault", "edge-latency"),
        ("fault_id", "f0"),
        ("scenario", "smoke"),
        ("target", "edge-apac"),
    )
    got = samples(live)
    assert got[("livefire_fault_active", labels)] == 1
    assert got[("livefire_fault_injected_timestamp_seconds", labels)] == 1_700_000_000.0
    assert ("livefire_fault_reverted_timestamp_seconds", labels) not in got
    tracker.reverted("f0", 1_700_000_015.0)
    live.update(tracker.tick(20.0, [], "revert f0"))
    got = samples(live)
    assert got[("livefire_fault_active", labels)] == 0
    assert got[("livefire_fault_reverted_timestamp_seconds", labels)] == 1_700_000_015.0


def test_a_new_scenario_drops_the_last_ones_series() -> None:
    live, tracker = LiveMetrics(), Tracker(60.0, 1)
    live.begin("smoke", 1, 2)
    tracker.injected(F0, 1.0, ok=True)
    live.update(tracker.tick(5.0, ["f0"], "", [second(1)]))
    live.begin("baseline", 2, 2)
    live.update(Tracker(30.0, 0).tick(1.0, [], "", [second(1)]))
    scenarios = {dict(labels).get("scenario") for _, labels in samples(live)}
    assert scenarios == {"baseline"}
    got = samples(live)
    assert got[("livefire_suite_position", (("scenario", "baseline"),))] == 2
    assert not any(name == "livefire_fault_active" for name, _ in got)
    assert len(live.history) == 1


def test_the_scenarios_promises_are_exported_beside_the_slis() -> None:
    slos = Slos.model_validate(
        {"stream_latency_p95": "250ms", "during_faults": {"viewer_error_rate": "2%"}}
    )
    live = LiveMetrics()
    live.begin("smoke", promises=promises(slos))
    got = samples(live)
    overall = (("phase", "overall"), ("scenario", "smoke"), ("sli", "stream_latency_p95"))
    during = (("phase", "during_faults"), ("scenario", "smoke"), ("sli", "viewer_error_rate"))
    assert got[("livefire_slo", overall)] == 0.25
    assert got[("livefire_slo", during)] == 0.02
    assert len([k for k in got if k[0] == "livefire_slo"]) == 2
