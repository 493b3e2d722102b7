"""A negative control whose sabotage is switched off passes, and `livefire suite` must then
exit 1 naming it: a control that no longer fails is a broken proof, never a green one."""

from __future__ import annotations

from pathlib import Path

import yaml

from livefire.base.processes import stragglers
from tests.e2e.conftest import SCENARIOS, livefire, report_of


def test_a_control_without_its_sabotage_makes_the_suite_fail_naming_it(tmp_path: Path) -> None:
    control = yaml.safe_load((SCENARIOS / "gift-payment-timeout-lossy-ledger.yaml").read_text())
    assert control["target"]["embedded"].pop("sabotage") == ["lossy-ledger"]
    defused = tmp_path / "defused.yaml"
    defused.write_text(yaml.safe_dump(control))
    junit = tmp_path / "suite.xml"
    runs = str(tmp_path / "runs")
    proc = livefire("suite", str(defused), "--run-dir", runs, "--junit", str(junit), "--quiet")
    out, _ = proc.communicate(timeout=280)
    assert proc.returncode == 1, out
    name = control["name"]
    assert f"== {name}: NOT as expected: expected result fail, got pass" in out
    report = report_of(tmp_path / "runs" / name)
    assert report["result"] == "pass"  # the platform reconciled every gift without the sabotage
    assert stragglers(tmp_path / "runs" / name) == []
    xml = junit.read_text()  # one testcase, failed: what CI dashboards show
    assert 'tests="1"' in xml and 'failures="1"' in xml and f'name="{name}"' in xml
