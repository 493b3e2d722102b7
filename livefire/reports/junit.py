"""`junit.xml`: one test case per promise, so CI systems show broken promises as failed tests.

Layout (the subset Jenkins, GitLab and GitHub test reporters all read):

    <testsuites name="livefire" tests failures errors time>
      <testsuite name=SCENARIO tests failures errors skipped time timestamp>
        <properties> run facts </properties>
        <testcase classname=SCENARIO name="promise[phase]"> <failure message type/> </testcase>
        <testcase name="run[interrupted]"> <error/> </testcase>      only when aborted
        <testcase name="revert[f0]"> <error/> </testcase>            per fault left injected
        <testcase name="inconclusive[1]"> <error type=Inconclusive/>  per reason not to trust it
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from livefire.reports.base import Report, ReportFormat, check_name, checks, duration_s, register

# XML 1.0 cannot carry most control characters even escaped; they would make the file invalid.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(value: object) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def render(report: Report) -> str:
    suite = _suite(report)
    root = ET.Element("testsuites", name="livefire")
    for key in ("tests", "failures", "errors", "time"):
        root.set(key, suite.get(key, "0"))
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(report: Report) -> ET.Element:
    scenario = clean(report.get("scenario", "livefire"))
    cases = [_check_case(scenario, c) for c in checks(report)]
    cases += _run_cases(scenario, report)
    suite = ET.Element("testsuite", name=scenario)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    suite.set("errors", str(sum(c.find("error") is not None for c in cases)))
    suite.set("skipped", "0")
    suite.set("time", f"{duration_s(report) or 0.0:.3f}")
    if isinstance(report.get("started"), int | float):
        stamp = datetime.fromtimestamp(report["started"], UTC).replace(tzinfo=None)
        suite.set("timestamp", stamp.isoformat(timespec="seconds"))
    suite.append(_properties(report))
    suite.extend(cases)
    return suite


def _properties(report: Report) -> ET.Element:
    facts: dict[str, Any] = {
        key: report.get(key)
        for key in ("schema", "file", "status", "result", "started", "ended")
        if report.get(key) is not None
    }
    for fault in report.get("faults") or []:
        facts[f"fault.{fault.get('fault_id', '?')}"] = (
            f"{fault.get('fault', '?')} on {fault.get('target', '?')}"
            f" t={_num(fault.get('start_s'))}s..{_num(fault.get('end_s'))}s"
        )
    for key, value in (report.get("target") or {}).items():
        if not isinstance(value, dict | list):  # endpoint maps stay in report.json
            facts[f"target.{key}"] = value
    props = ET.Element("properties")
    for name, value in facts.items():
        ET.SubElement(props, "property", name=clean(name), value=clean(value))
    return props


def _check_case(scenario: str, check: dict[str, Any]) -> ET.Element:
    case = ET.Element("testcase", classname=scenario, name=clean(check_name(check)))
    case.set("time", "0")
    found, expected = check.get("found", "no data"), check.get("expected", "?")
    detail = f"measured {found}, promised {expected}"
    if check.get("documented"):
        detail += f"; documented: {check['documented']}"
    if check.get("void"):  # neither held nor broken: an error, as an inconclusive run is
        ET.SubElement(case, "error", message=clean(str(check["void"])), type="Inconclusive")
    elif not check.get("passed"):
        failure = ET.SubElement(
            case, "failure", message=clean(f"{check_name(check)}: {detail}"), type="BrokenPromise"
        )
        failure.text = clean(_details(check))
    ET.SubElement(case, "system-out").text = clean(detail)
    return case


def _details(check: dict[str, Any]) -> str:
    keys = ("promise", "phase", "threshold", "measured", "expected", "found", "documented")
    return "\n".join(f"{k}: {check.get(k)}" for k in keys if check.get(k) not in (None, ""))


def _run_cases(scenario: str, report: Report) -> list[ET.Element]:
    """Errors that are not a promise: an aborted run, a fault that could not be reverted, each
    reason the measurements cannot be trusted (an inconclusive run)."""
    cases = []
    status = report.get("status", "completed")
    if status != "completed" or report.get("result") == "aborted":
        case = ET.Element("testcase", classname=scenario, name=clean(f"run[{status}]"), time="0")
        message = f"run {status} before its end: no verdict"
        ET.SubElement(case, "error", message=clean(message), type="RunAborted")
        cases.append(case)
    for fault_id in report.get("revert_failures") or []:
        case = ET.Element("testcase", classname=scenario, name=clean(f"revert[{fault_id}]"))
        case.set("time", "0")
        message = f"fault {fault_id} could not be reverted; run `livefire chaos revert`"
        ET.SubElement(case, "error", message=clean(message), type="RevertFailed")
        cases.append(case)
    for n, reason in enumerate(report.get("inconclusive") or [], 1):
        case = ET.Element("testcase", classname=scenario, name=f"inconclusive[{n}]", time="0")
        error = ET.SubElement(case, "error", message=clean(reason), type="Inconclusive")
        error.text = clean(f"no verdict can be trusted: {reason}")
        cases.append(case)
    return cases


def _num(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, int | float) else "?"


FORMAT = register(
    ReportFormat("junit", "junit.xml", render, "JUnit XML: one test case per promise, for CI")
)
