"""`livefire capacity` against the capacity stub on loopback: the truth is known exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from livefire.cli import main

pytestmark = pytest.mark.integration
ROOT = Path(__file__).parents[3]
EXAMPLE = ROOT / "examples" / "capacity-stub.yaml"
SCHEMA = json.loads((ROOT / "livefire" / "reports" / "capacity.schema.json").read_text())


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """One search of the example spec (about 85 s), shared by the tests below."""
    out = tmp_path_factory.mktemp("capacity") / "run"
    return main(["capacity", str(EXAMPLE), "--out", str(out)]), out


def test_the_truth_is_inside_the_reported_interval(searched: tuple[int, Path]) -> None:
    code, out = searched
    doc = json.loads((out / "capacity.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["truth"] == pytest.approx(355.3, abs=0.1)
    assert code in (0, 4)
    assert doc["interval"]["low"] <= doc["truth"] <= doc["interval"]["high"]


def test_the_measured_capacity_is_within_5pct_of_the_truth(searched: tuple[int, Path]) -> None:
    code, out = searched
    doc = json.loads((out / "capacity.json").read_text())
    if doc["status"] == "inconclusive":  # measured: about half the runs on 2 shared cores
        pytest.xfail(f"no verdict within the 85 s budget: {doc['reason']} {doc['interval']}")
    assert code == 0
    assert doc["capacity"] == pytest.approx(doc["truth"], rel=0.05)
    assert doc["binding_slo"] == "latency_p95"


def test_replan_from_stored_steps_doubles_nodes_when_capacity_halves(
    searched: tuple[int, Path], tmp_path: Path
) -> None:
    _, out = searched
    stored = json.loads((out / "capacity.json").read_text())
    totals = []
    for per_node in (350.0, 175.0):  # the stored steps, a capacity declared found, no load
        run = tmp_path / f"at{per_node:g}"
        shutil.copytree(out, run)
        doc = {**stored, "status": "found", "interval": {"low": per_node, "high": 400.0}}
        (run / "capacity.json").write_text(json.dumps(doc))
        assert main(["capacity", str(EXAMPLE), "--replan", str(run)]) == 0
        replanned = json.loads((run / "capacity.json").read_text())
        jsonschema.validate(replanned, SCHEMA)
        assert replanned["steps"] == stored["steps"]
        totals.append(replanned["plan"]["lines"][2]["total"] - 4)  # 50M, minus the spares
    assert abs(totals[1] - 2 * totals[0]) <= 4


STARVED = """name: starved
target: {stub: {slots: 4096, service_ms: 1}}
search: {start: 3000, warmup: 0s, hold: 1s, max_attempts: 2, budget: 20s}
generator: {late: 2ms}
slos: {latency_p95: 150ms}
"""


def test_a_starved_generator_is_inconclusive_not_a_breakpoint(tmp_path: Path) -> None:
    spec = tmp_path / "starved.yaml"
    spec.write_text(STARVED)
    assert main(["capacity", str(spec), "--out", str(tmp_path / "run")]) == 4
    doc = json.loads((tmp_path / "run" / "capacity.json").read_text())
    assert doc["status"] == "inconclusive" and "fell behind" in doc["reason"]
    assert doc["interval"]["high"] is None
    jsonschema.validate(doc, SCHEMA)


def test_a_bad_spec_exits_2_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("name: x\ntarget: {stub: {slots: 0}}\nslos: {latency_p95: 1s}\nserch: {}\n")
    assert main(["capacity", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:2: target.stub.slots: expected a number >= 1, got 0" in err
    assert f"{spec}:4: serch: unknown key 'serch'; did you mean 'search'?" in err
