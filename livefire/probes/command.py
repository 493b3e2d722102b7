"""A command probe: its argv run directly (never through a shell, so nothing in it is
expanded), bounded by its timeout. Its value is the exit code, or the number it prints on
stdout (its last non-empty line), which then requires exit code 0."""

from __future__ import annotations

import math
import subprocess

from livefire.base.errors import ProbeFailed
from livefire.scenario.probes import CommandProbe


def read(probe: CommandProbe) -> float:
    try:
        done = subprocess.run(
            list(probe.argv),
            capture_output=True,
            text=True,
            timeout=probe.timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise ProbeFailed(f"{probe.argv[0]}: still running after {probe.timeout:g} s") from None
    except OSError as exc:
        raise ProbeFailed(f"{probe.argv[0]}: cannot run: {exc.strerror}") from None
    if probe.value == "exit_code":
        return float(done.returncode)
    if done.returncode != 0:
        raise ProbeFailed(f"{probe.argv[0]}: exit code {done.returncode}")
    return number_printed(done.stdout, probe.argv[0])


def number_printed(stdout: str, program: str) -> float:
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise ProbeFailed(f"{program}: printed nothing (expected a number)")
    try:
        value = float(lines[-1])
    except ValueError:
        raise ProbeFailed(f"{program}: printed {lines[-1][:80]!r}, not a number") from None
    if not math.isfinite(value):
        raise ProbeFailed(f"{program}: printed {lines[-1]!r} (no data)")
    return value
