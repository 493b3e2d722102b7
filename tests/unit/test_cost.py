"""Incident cost: each fault's impact priced with a severity table, from synthetic telemetry of
known truth. cost = $ per hour × hours in breach × share of users affected."""

from __future__ import annotations

from pathlib import Path

import pytest

from livefire import report as reports
from livefire.base import telemetry as tm
from livefire.cli import main
from livefire.scenario.cost import CostSpec
from livefire.scenario.slos import Slos
from livefire.verdict.cost import Cost, price
from livefire.verdict.engine import FaultWindow, evaluate

T0 = 1_000.0
BAD = Path(__file__).parent.parent / "fixtures" / "bad_scenarios"
SLOS = Slos(viewers_playing=0.99)
BLACKHOLE = FaultWindow("f0", "cdn-region-blackhole", "edge-eu", T0 + 10, T0 + 40)


def run(stalled: int = 25, watching: int = 100) -> list[tm.Second]:
    """60 s of 100 viewers; `stalled` of them stalled from t=10 s to t=40 s."""
    series = []
    for t in range(int(T0), int(T0) + 60):
        second = tm.Second(t)
        second.count(tm.VIEWERS_WATCHING, watching)
        second.count(tm.VIEWERS_STALLED, stalled if 10 <= t - T0 < 40 else 0)
        series.append(second)
    return series


def priced(spec: CostSpec | None = None, overrides: dict[str, str | None] | None = None) -> Cost:
    series = run()
    found = evaluate(series, SLOS, T0, T0 + 60, [BLACKHOLE]).recoveries
    return price(series, SLOS, [BLACKHOLE], found, spec or CostSpec(), overrides or {}, T0 + 60)


def test_30_s_in_breach_for_a_quarter_of_viewers_as_p2_is_875_dollars() -> None:
    cost = priced()
    [fault] = cost.faults
    assert (fault.severity, fault.basis) == ("P2", "default for cdn-region-blackhole")
    assert fault.breach_s == 30 and fault.share == pytest.approx(0.25)
    assert fault.cost == pytest.approx(420_000 * 30 / 3600 * 0.25) == pytest.approx(875)
    assert cost.total == pytest.approx(875) and cost.audience == 50_000_000
    assert fault.affected(cost.audience) == 12_500_000 and cost.run_viewers == 100
    assert "per-hour figures are platform-wide" in cost.assumption


def test_the_scenarios_own_table_prices_instead() -> None:
    spec = CostSpec(
        severities={"SEV1": 100_000.0}, faults={"cdn-region-blackhole": "SEV1"}, audience=10**6
    )
    [fault] = priced(spec).faults
    assert (fault.severity, fault.basis) == ("SEV1", "cost.faults.cdn-region-blackhole")
    assert fault.cost == pytest.approx(100_000 * 30 / 3600 * 0.25)
    assert fault.affected(spec.audience) == 250_000


def test_a_severity_set_on_the_fault_overrides_the_kinds() -> None:
    spec = CostSpec(faults={"cdn-region-blackhole": "P1"})
    [fault] = priced(spec, {"f0": "P0"}).faults
    assert (fault.severity, fault.basis) == ("P0", "set on the fault")
    assert fault.cost == pytest.approx(2_600_000 * 30 / 3600 * 0.25)


def test_each_fault_kind_has_a_default_severity() -> None:
    spec = CostSpec()
    assert spec.severity_of("transcoder-node-kill", "transcoder-0", None)[0] == "P1"
    assert spec.severity_of("cdn-region-blackhole", "edge-eu", None)[0] == "P2"
    assert spec.severity_of("process-kill", "discovery", None) == (
        "P0",
        "default for a fault on discovery",
    )
    assert spec.severity_of("process-kill", "transcoder-1", None)[0] == "P1"
    assert spec.severity_of("my-plugin-fault", "x", None) == (
        "P2",
        "default for an unlisted fault (my-plugin-fault)",
    )


def test_no_faults_price_nothing_and_print_nothing() -> None:
    series = run(stalled=0)
    cost = price(series, SLOS, [], [], CostSpec(), {}, T0 + 60)
    assert cost.faults == () and cost.total == 0
    assert reports.cost_lines(reports.cost_json(cost)) == []


def test_a_fault_without_impact_costs_nothing() -> None:
    series = run(stalled=0)
    cost = price(series, SLOS, [BLACKHOLE], [], CostSpec(), {}, T0 + 60)
    [fault] = cost.faults
    assert fault.breach_s == 0 and fault.share == 0 and fault.cost == 0
    assert fault.recovered is None  # no recovery budget: not timed
    [line, total] = reports.cost_lines(reports.cost_json(cost))
    assert "× 0 s in breach × 0.0% of users" in line
    assert line.endswith("= $0 (recovery not timed; default for cdn-region-blackhole)")
    assert total.startswith("  cost   total $0: per-hour figures are platform-wide")


def test_a_fault_with_no_visible_effect_is_not_a_0_s_recovery() -> None:
    series = run(stalled=0)
    found = evaluate(
        series,
        Slos(viewers_playing=0.99, recovery={"cdn-region-blackhole": 45}),
        T0,
        T0 + 60,
        [BLACKHOLE],
    ).recoveries
    cost = price(series, SLOS, [BLACKHOLE], found, CostSpec(), {}, T0 + 60)
    [fault] = cost.faults
    assert (fault.recovery_s, fault.recovered, fault.cost) == (None, True, 0)
    [line, _] = reports.cost_lines(reports.cost_json(cost))
    assert "(no visible effect;" in line


def test_a_broken_ratio_promise_counts_its_failed_share() -> None:
    """Chat messages late are users affected too, not only stalled viewers."""
    series = run(stalled=0)
    for second in series[10:40]:
        second.count(tm.CHAT_SENT + "live1", 10)
        second.count(tm.CHAT_MEMBERS + "live1", 2)
        second.count(tm.CHAT_RECEIVED_100MS, 15)  # 15 of 20 owed: 25% late
    for second in series[:10] + series[40:]:
        second.count(tm.CHAT_SENT + "live1", 10)
        second.count(tm.CHAT_MEMBERS + "live1", 2)
        second.count(tm.CHAT_RECEIVED_100MS, 20)
    slos = Slos(chat_delivered_within_100ms=0.999)
    [fault] = price(series, slos, [BLACKHOLE], [], CostSpec(), {}, T0 + 60).faults
    assert fault.breach_s == 30 and fault.share == pytest.approx(0.25)


def test_a_latency_breach_counts_the_share_of_segments_later_than_the_promise() -> None:
    """An edge-latency fault that stalls no one still reached the viewers whose segments came
    later than promised: 30 of 100 samples a second at 900 ms against a 250 ms p95."""
    series = run(stalled=0)
    for i, second in enumerate(series):
        for n in range(100):
            late = 10 <= i < 40 and n < 30
            second.observe(tm.STREAM_LATENCY, 0.9 if late else 0.1)
    slos = Slos(stream_latency_p95=0.25)
    [fault] = price(series, slos, [BLACKHOLE], [], CostSpec(), {}, T0 + 60).faults
    assert fault.breach_s == 30 and fault.share == pytest.approx(0.30)
    assert fault.cost == pytest.approx(420_000 * 30 / 3600 * 0.30)


def test_a_bad_cost_section_is_exit_2_with_file_and_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "--dry-run", str(BAD / "bad_cost.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"{BAD / 'bad_cost.yaml'}:6: faults[0].severity: unknown severity 'P9'" in err
    assert f"{BAD / 'bad_cost.yaml'}:11: cost.audience: expected a number > 0, got 0" in err
