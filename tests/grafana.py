"""Read the metric names out of a Grafana dashboard's PromQL: panel queries, annotation
queries and `label_values` template variables, to check them against what livefire exports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DASHBOARD = Path(__file__).resolve().parents[1] / "ci" / "grafana" / "livefire-live.json"
KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring"}
LABEL_VALUES = re.compile(r"label_values\(\s*([A-Za-z_:][\w:]*)\s*,\s*(\w+)\s*\)")


def load(path: Path = DASHBOARD) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def panel_queries(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(panel title, expr) of every panel target, rows' nested panels included."""
    for panel in dashboard.get("panels", []):
        for inner in [panel, *panel.get("panels", [])]:
            for target in inner.get("targets", []):
                yield inner.get("title", "?"), target["expr"]


def annotation_queries(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """The Prometheus annotation queries (the built-in Grafana one has no expr)."""
    return [a for a in dashboard["annotations"]["list"] if "expr" in a]


def variable_queries(dashboard: dict[str, Any]) -> list[str]:
    out = []
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        out.append(query["query"] if isinstance(query, dict) else str(query))
    return out


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (functions, keywords, label matchers,
    grouping labels, ranges, numbers and Grafana variables left out)."""
    text = re.sub(r"\$\{[^}]*\}|\$\w+", "", expr)
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)(\s*\()?", text):
        if match.group(2) is None and match.group(1) not in KEYWORDS:
            names.add(match.group(1))
    return names


def selectors(expr: str) -> list[tuple[str, set[str]]]:
    """(metric, label names matched) of every `metric{label=...}` in the expression."""
    out = []
    for metric, matchers in re.findall(r"([A-Za-z_:][\w:]*)\{([^}]*)\}", expr):
        out.append((metric, set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers))))
    return out
