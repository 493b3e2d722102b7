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


def test_the_measured_capacity_is_within_5pct_of_the_truth(tmp_path: Path) -> None:
    code = main(["capacity", str(EXAMPLE), "--out", str(tmp_path / "run")])
    doc = json.loads((tmp_path / "run" / "capacity.json").read_text())
    truth, low, high = doc["truth"], doc["interval"]["low"], doc["interval"]["high"]
    assert truth == pytest.approx(355.3, abs=0.1)
    jsonschema.validate(doc, SCHEMA)
    assert code == 0, doc["reason"]
    assert doc["capacity"] == pytest.approx(truth, rel=0.05)
    assert low <= truth <= high
    assert doc["binding_slo"] == "latency_p95"
    assert doc["plan"]["lines"][0]["component"] == "edge"
    # --replan: the plan from the stored steps, no load; half the capacity, twice the nodes
    spec = tmp_path / "half.yaml"
    spec.write_text(EXAMPLE.read_text())
    shutil.copytree(tmp_path / "run", tmp_path / "again")
    again = tmp_path / "again" / "capacity.json"
    stored = json.loads(again.read_text())
    stored["interval"]["low"] = low / 2
    again.write_text(json.dumps(stored))
    assert main(["capacity", str(spec), "--replan", str(tmp_path / "again")]) == 0
    half = json.loads(again.read_text())
    jsonschema.validate(half, SCHEMA)
    full_nodes = doc["plan"]["lines"][2]["total"] - 4
    half_nodes = half["plan"]["lines"][2]["total"] - 4
    assert abs(half_nodes - 2 * full_nodes) <= 4


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
