"""Plugin user kinds in `load.users`, checked before anything starts: installed (entry-point
group `livefire.users`) and loadable as a livefire user. Loading one imports Locust, which
patches a process for gevent, so the classes are checked in a child process, never here."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

from loadgen.kinds import USER_KINDS
from loadgen.user_plugins import GROUP, installed

CHECK_TIMEOUT_S = 60.0


def user_kind_problems(kinds: list[str]) -> Iterator[tuple[str, str]]:
    """(kind, why) for each kind of `kinds` that cannot be played."""
    plugins = installed()
    missing = [k for k in kinds if k not in plugins]
    for kind in missing:
        known = ", ".join(USER_KINDS)
        extra = ", ".join(sorted(plugins)) or "none installed"
        yield kind, f"no user kind '{kind}': built in: {known}; plugins of {GROUP}: {extra}"
    present = [k for k in kinds if k in plugins]
    if not present:
        return
    argv = [sys.executable, "-m", "loadgen.user_plugins", *present]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        for kind in present:
            yield kind, f"checking the user plugin took over {CHECK_TIMEOUT_S:g} s"
        return
    lines = done.stdout.splitlines()
    for kind in present:
        said = [line for line in lines if line.startswith(f"user plugin '{kind}' ")]
        if said:
            yield kind, said[0]
    if done.returncode != 0 and not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        yield present[0], f"checking the user plugins failed: {last}"
