"""An inconclusive run is visible as such in every human and CI format, each reason named."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from livefire import report as reports
from livefire.reports import render
from tests.unit.reports.conftest import Report, sample_report

REASONS = [
    "load generator overloaded: worker host-a_1 fell behind from t=10s to t=13s (...)",
    "telemetry gap: 1 worker(s) silent from t=30s to t=40s",
]


def inconclusive_report() -> Report:
    report = sample_report()
    report["result"], report["inconclusive"] = "inconclusive", list(REASONS)
    return report


def test_junit_has_an_inconclusive_error_per_reason() -> None:
    root = ET.fromstring(render(inconclusive_report(), "junit").encode())
    suite = root.find("testsuite")
    assert suite is not None and suite.get("errors") == "2"
    errors = [(c.get("name"), c.find("error")) for c in suite.findall("testcase")]
    named = [(name, e.get("type"), e.get("message")) for name, e in errors if e is not None]
    assert named == [
        ("inconclusive[1]", "Inconclusive", REASONS[0]),
        ("inconclusive[2]", "Inconclusive", REASONS[1]),
    ]


def test_html_has_an_inconclusive_badge_and_the_reasons() -> None:
    page = render(inconclusive_report(), "html")
    assert '<span class="badge inconclusive">INCONCLUSIVE</span>' in page
    assert ".inconclusive{background:" in page
    section = page.split('id="inconclusive"')[1].split("</div>")[0]
    assert all(f"<li>{r}</li>" in section for r in REASONS)
    assert 'id="inconclusive"' not in render(sample_report(), "html")


def test_summary_lists_every_reason() -> None:
    lines = reports.summary(inconclusive_report())
    assert lines[-3].startswith("RESULT: INCONCLUSIVE")
    assert lines[-2:] == [f"  {r}" for r in REASONS]
