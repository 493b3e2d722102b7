"""User kinds from plugins: entry-point group `livefire.users`, for a user the built-in kinds
cannot play (a voter, a shopper, a player of some other protocol).

A plugin distribution declares, in its pyproject.toml:

    [project.entry-points."livefire.users"]
    acme-voter = "acme_livefire.voter:Voter"      # a subclass of loadgen.users.LivefireUser

and the scenario counts it beside the built-in kinds: `load.users: {viewer: 100, acme-voter: 20}`.
The class inherits the run's configuration, the recorder, the random start and `stream()`, so
what it records joins the same telemetry, schedule-lag accounting and SLIs as livefire's own.

Loading a user class imports Locust, which patches the process for gevent: the conductor never
does that itself, it runs `python -m loadgen.user_plugins KIND...` to check its kinds (each
problem one line naming the plugin, exit 1), and only Locust's processes import them.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import logging
import sys
from typing import Any

from loadgen.kinds import USER_KINDS

GROUP = "livefire.users"
log = logging.getLogger(__name__)


class UserPluginError(ValueError):
    """A user kind that is not installed or whose class is not a livefire user."""


def installed() -> dict[str, str]:
    """Plugin kind → its entry point (`module:Class`); the built-in kinds are never shadowed."""
    return {
        e.name: e.value
        for e in importlib.metadata.entry_points(group=GROUP)
        if e.name not in USER_KINDS
    }


def class_name(kind: str) -> str:
    """The class name Locust is told to run for `kind` (its entry point's last name)."""
    value = installed().get(kind)
    if value is None:
        raise UserPluginError(f"no user kind '{kind}' in {GROUP}")
    return value.rsplit(":", 1)[-1].rsplit(".", 1)[-1]


def load_user_kind(kind: str) -> type:
    """The class of plugin kind `kind`; UserPluginError saying what is wrong. Imports Locust."""
    from loadgen.users import LivefireUser  # imports locust: only in Locust's processes

    entries = {e.name: e for e in importlib.metadata.entry_points(group=GROUP)}
    if kind not in entries or kind in USER_KINDS:
        known = ", ".join(sorted(installed())) or "none installed"
        raise UserPluginError(f"no user kind '{kind}' in {GROUP} (installed: {known})")
    entry = entries[kind]
    where = f"user plugin '{kind}' ({entry.value})"
    try:
        plugin: Any = entry.load()
    except Exception as exc:  # a plugin's import may fail in any way: report, never crash
        raise UserPluginError(f"{where}: cannot be loaded: {type(exc).__name__}: {exc}") from None
    if not inspect.isclass(plugin) or not issubclass(plugin, LivefireUser):
        what = plugin.__name__ if inspect.isclass(plugin) else type(plugin).__name__
        raise UserPluginError(f"{where}: {what} is not a subclass of loadgen.users.LivefireUser")
    if plugin.__name__ in USER_KINDS.values():
        raise UserPluginError(f"{where}: its class name {plugin.__name__} is a built-in kind's")
    return plugin


def load_all() -> dict[str, type]:
    """Every installed plugin kind that loads (for the locustfile); one that does not is
    logged and left out (a scenario using it was refused at validation)."""
    loaded = {}
    for kind in installed():
        try:
            loaded[kind] = load_user_kind(kind)
        except UserPluginError as exc:
            log.warning("%s", exc)
    return loaded


def main(kinds: list[str]) -> int:
    problems = []
    for kind in kinds:
        try:
            load_user_kind(kind)
        except UserPluginError as exc:
            problems.append(str(exc))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
