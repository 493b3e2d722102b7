"""Night over night, for real: two short suites of one scenario, the second against the
`no-region-reroute` sabotage with the first as its baseline. The sabotaged night breaks the
promises its scenario expects it to break (so on its own it is "as expected"), and only the
comparison with the baseline makes it red, naming the promises that got worse.

One pair of runs (module scope) serves every assertion: CI's time budget is tight.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import livefire

pytestmark = pytest.mark.e2e

# 20 viewers, half of them in APAC, whose edge is black-holed for 10 s: the router moves
# them within a couple of seconds, unless it is sabotaged into keeping them there. Latency gets
# half the room: the healthy night's rerouted viewers pull from a farther, cold edge (measured
# 26 ms vs 151 ms p95 in one CI run), while the sabotaged night's APAC viewers get only errors
# and give no latency at all, so the healthy night may be slower and still have regressed nothing
SCENARIO = """name: compare-pair
duration: 20s
target:
  embedded: {{topology: default, streams: 1, sabotage: {sabotage}}}
load:
  users: {{viewer: 20}}
  shape: [{{ramp: 3s, to: 1.0}}, {{hold: 17s}}]
  workers: 1
faults:
  - {{at: 6s, fault: cdn-region-blackhole, target: edge-apac, for: 10s}}
slos:
  stream_latency_p95: 1000ms
  viewer_error_rate: 20%
  stable_for: 2s
  recovery: {{cdn-region-blackhole: 8s}}
compare: {{tolerance: 10%, promises: {{stream_latency_p95: 50%}}}}
{expect}
"""
SABOTAGED_EXPECT = "expect: {result: fail, broken: [viewer_error_rate]}"


@dataclass(frozen=True)
class Nights:
    first: Path  # the baseline suite's --run-dir
    second: Path  # the sabotaged suite's, compared against the first
    second_out: str  # what the second suite printed
    second_code: int


def suite(scenario: Path, run_dir: Path, *more: str) -> tuple[int, str]:
    proc = livefire("suite", str(scenario), "--run-dir", str(run_dir), "--quiet", *more)
    out, _ = proc.communicate(timeout=240)
    return proc.returncode, out


def compare(*args: str) -> tuple[int, str]:
    proc = livefire("compare", *args)
    out, _ = proc.communicate(timeout=120)
    return proc.returncode, out


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Nights:
    root = tmp_path_factory.mktemp("nights")
    healthy, sabotaged = root / "healthy.yaml", root / "sabotaged.yaml"
    healthy.write_text(SCENARIO.format(sabotage="[]", expect=""))
    sabotaged.write_text(SCENARIO.format(sabotage="[no-region-reroute]", expect=SABOTAGED_EXPECT))
    code, out = suite(healthy, root / "night1")
    assert code == 0, out
    code, out = suite(sabotaged, root / "night2", "--baseline", str(root / "night1"))
    return Nights(root / "night1", root / "night2", out, code)


def test_the_suite_compares_each_scenario_with_its_baseline_and_a_regression_fails_it(
    nights: Nights,
) -> None:
    out = nights.second_out
    assert nights.second_code == 1, out
    assert "regressed against the baseline" in out and "viewer_error_rate (overall)" in out
    # the sabotaged run came out as its own scenario expects: only the comparison made it red
    report = json.loads((nights.second / "compare-pair" / "report.json").read_text())
    assert report["result"] == "fail"
    assert report["compare"] == {
        "tolerance": 0.1,
        "promises": {"stream_latency_p95": {"share": 0.5}},
    }
    compared = json.loads((nights.second / "compare-pair" / "compare.json").read_text())
    assert compared["result"] == "regressed"
    assert "viewer_error_rate[overall]" in compared["regressions"]
    assert (nights.second / "compare-pair" / "compare.html").stat().st_size > 100_000


def test_compare_flags_the_regression_naming_the_promise_with_both_figures(
    nights: Nights, tmp_path: Path
) -> None:
    base, run = nights.first / "compare-pair", nights.second / "compare-pair"
    code, out = compare(str(base), str(run), "--out", str(tmp_path))
    assert code == 1, out
    [row] = [ln for ln in out.splitlines() if "viewer_error_rate [overall]" in ln]
    assert row.split()[0] == "WORSE"
    before = json.loads((base / "report.json").read_text())
    after = json.loads((run / "report.json").read_text())
    found = {r["promise"] + r["phase"]: r["found"] for r in before["checks"]}
    now = {r["promise"] + r["phase"]: r["found"] for r in after["checks"]}
    assert found["viewer_error_rateoverall"] in row and now["viewer_error_rateoverall"] in row
    result = out.split("RESULT: REGRESSED")[1]
    assert "viewer_error_rate (overall)" in result
    # the router that never reroutes recovers only when the fault ends: later than it did
    assert "recovery:cdn-region-blackhole (f0:viewer_error_rate)" in result
    assert (tmp_path / "compare.json").exists() and (tmp_path / "compare.html").exists()


def test_the_other_way_round_nothing_regressed(nights: Nights, tmp_path: Path) -> None:
    code, out = compare(
        str(nights.second / "compare-pair"),
        str(nights.first / "compare-pair"),
        "--json",
        "--out",
        str(tmp_path),
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["result"] == "ok" and data["regressions"] == []
    [row] = [
        r for r in data["rows"] if (r["promise"], r["phase"]) == ("viewer_error_rate", "overall")
    ]
    assert row["status"] == "improved" and row["delta"] < 0


def test_a_run_of_another_scenario_is_refused_naming_both(nights: Nights, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(
        nights.first / "compare-pair", other, ignore=shutil.ignore_patterns("telemetry")
    )
    report = json.loads((other / "report.json").read_text())
    report["scenario"] = "smoke"
    (other / "report.json").write_text(json.dumps(report))
    code, out = compare(str(nights.first / "compare-pair"), str(other))
    assert code == 2, out
    assert "'compare-pair'" in out and "'smoke'" in out and len(out.strip().splitlines()) == 1
