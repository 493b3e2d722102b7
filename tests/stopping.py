"""Stopping what a test started: terminate, wait, kill if it will not go."""

from __future__ import annotations

import subprocess
from typing import Any


def stop(proc: subprocess.Popen[Any], timeout: float = 5.0) -> None:
    """Stop `proc` (SIGTERM, then SIGKILL after `timeout`) and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
