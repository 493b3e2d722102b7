"""`report.json`: the report itself, the source every other format is rendered from."""

from __future__ import annotations

import json

from livefire.reports.base import Report, ReportFormat, register


def render(report: Report) -> str:
    return json.dumps(report, indent=2) + "\n"


FORMAT = register(
    ReportFormat("json", "report.json", render, "the whole report, schema livefire.report/1")
)
