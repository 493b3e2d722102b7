"""Reports under test: the real smoke-run report (trimmed), and variants derived from it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "reports" / "smoke.report.json"

Report = dict[str, Any]


def sample_report() -> Report:
    """What `livefire run scenarios/smoke.yaml` wrote (target trimmed): a passing run."""
    return dict(json.loads(FIXTURE.read_text()))


def broken_report() -> Report:
    """The sample with its during-fault latency promise broken, as a tighter SLO would break it."""
    report = sample_report()
    check = report["checks"][2]
    assert (check["promise"], check["phase"]) == ("stream_latency_p95", "during_faults")
    check.update(threshold=0.25, passed=False, expected="<= 250 ms")
    report["result"] = "fail"
    return report


def full_report() -> Report:
    """The sample plus every optional field the schema reserves: p99, users, chat, recovery."""
    report = copy.deepcopy(sample_report())
    for i, row in enumerate(report["timeline"]):
        if row["latency_p95_ms"] is not None:
            row["latency_p99_ms"] = round(row["latency_p95_ms"] * 1.2, 1)
        row["users"] = min(40, 4 * i)
        row["chat_delivered_within_100ms"] = 0.95 if 20 <= row["t"] < 35 else 0.999
    for check in report["checks"]:
        check["unit"] = "s" if check["promise"].startswith("stream_latency") else "ratio"
    report["checks"].append(
        {
            "promise": "stream_latency_p99",
            "phase": "overall",
            "threshold": 0.4,
            "measured": None,
            "passed": False,
            "expected": "<= 400 ms",
            "found": "no data",
            "documented": "p99 320 ms in production",
            "unit": "s",
        }
    )
    report["recovery"] = [
        {
            "fault_id": "f0",
            "sli": "stream_latency_p95",
            "seconds": 2.5,
            "budget_s": 45.0,
            "recovered_at_s": 37.5,
            "effect_from_s": 30.0,
            "effect_to_s": 37.5,
        },
        {"fault_id": "f0", "sli": "chat_delivered_within_100ms", "seconds": None, "budget_s": 10},
        {"fault_id": "f0", "sli": "viewer_error_rate", "seconds": None, "visible": False},
    ]
    report["result"] = "fail"
    return report


def minimal_report() -> Report:
    """Only what identifies a run and its verdict: every optional section absent."""
    return {
        "schema": "livefire.report/1",
        "scenario": "bare",
        "status": "completed",
        "result": "pass",
        "checks": [
            {"promise": "viewer_error_rate", "phase": "overall", "passed": True, "found": "0%"}
        ],
    }


@pytest.fixture
def sample() -> Report:
    return sample_report()


@pytest.fixture
def broken() -> Report:
    return broken_report()


@pytest.fixture
def full() -> Report:
    return full_report()


@pytest.fixture
def minimal() -> Report:
    return minimal_report()
