"""junit.xml: what CI test tabs read. Parsed back with xml.etree, as a CI parser would."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from livefire.reports import render
from tests.unit.reports.conftest import Report


def parse(report: Report) -> ET.Element:
    root = ET.fromstring(render(report, "junit").encode())
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    return suite


def test_one_testcase_per_check_named_promise_and_phase(sample: Report) -> None:
    suite = parse(sample)
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        f"{c['promise']}[{c['phase']}]" for c in sample["checks"]
    ]
    assert {c.get("classname") for c in cases} == {"smoke"}
    assert suite.get("name") == "smoke"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "0", "0")
    assert not suite.findall(".//failure")


def test_broken_promise_is_a_failure_naming_measured_and_promised(broken: Report) -> None:
    root = ET.fromstring(render(broken, "junit").encode())
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "0")
    assert (root.get("tests"), root.get("failures")) == ("4", "1")
    [failure] = suite.findall("testcase/failure")
    message = failure.get("message", "")
    assert "stream_latency_p95[during_faults]" in message
    assert "measured 653 ms" in message
    assert "promised <= 250 ms" in message
    assert "p95 240 ms in production" in message
    assert failure.get("type") == "BrokenPromise"


def test_properties_carry_run_facts(sample: Report) -> None:
    props = {p.get("name"): p.get("value") for p in parse(sample).iterfind("properties/property")}
    assert props["status"] == "completed"
    assert props["result"] == "pass"
    assert props["file"] == "scenarios/smoke.yaml"
    assert props["fault.f0"].startswith("edge-latency on edge-apac")
    assert props["target.origin"].startswith("http://127.0.0.1:")
    assert float(parse(sample).get("time", "")) > 60


def test_aborted_run_and_unreverted_fault_are_errors(sample: Report) -> None:
    sample.update(status="interrupted", result="aborted", revert_failures=["f0"])
    suite = parse(sample)
    assert (suite.get("tests"), suite.get("errors")) == ("6", "2")
    errors = {c.get("name"): c.find("error") for c in suite.findall("testcase")}
    run_error, revert_error = errors["run[interrupted]"], errors["revert[f0]"]
    assert run_error is not None and "no verdict" in run_error.get("message", "")
    assert revert_error is not None and "livefire chaos revert" in revert_error.get("message", "")


def test_markup_and_control_characters_are_escaped(broken: Report) -> None:
    broken["scenario"] = 'a<b>&"c"\x01'
    broken["checks"][2]["found"] = "</failure><x>"
    suite = parse(broken)
    assert suite.get("name") == 'a<b>&"c"\ufffd'
    [failure] = suite.findall("testcase/failure")
    assert "measured </failure><x>" in failure.get("message", "")
