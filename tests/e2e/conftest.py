"""E2E helpers: run the real CLI in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def livefire(*args: str, path: tuple[Path, ...] = (), **kwargs: Any) -> subprocess.Popen[str]:
    """`livefire ARGS` in a child process; `path`: more directories on its PYTHONPATH."""
    pythonpath = os.pathsep.join(map(str, (ROOT, ROOT / "target-stubs", *path)))
    env = {**os.environ, "PYTHONPATH": pythonpath}
    return subprocess.Popen(
        [sys.executable, "-m", "livefire", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def report_of(run_dir: Path) -> dict[str, Any]:
    return dict(json.loads((run_dir / "report.json").read_text()))


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return tmp_path / "run"
