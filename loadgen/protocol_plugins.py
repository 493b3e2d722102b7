"""A platform's own protocols in Python, for what templates cannot say: entry-point group
`livefire.protocols`.

A plugin distribution declares, in its pyproject.toml:

    [project.entry-points."livefire.protocols"]
    acme-chat = "acme_livefire.chat:AcmeChat"     # a class whose `role` is "chat"

and the scenario names it: `target.staging.protocols.chat: {plugin: acme-chat, options: {...}}`.
The class is built once per simulated user with the scenario's `options` (a dict) and must
implement its role's interface (`INTERFACES`: the methods the reference implementation has);
it then runs inside livefire's own user, so its traffic reaches the same recorder, schedule-lag
accounting and SLIs. A plugin is refused at validation, with a message naming it, when it
cannot be imported, declares another role, or lacks a method of its role.
"""

from __future__ import annotations

import importlib.metadata
import inspect
from typing import Any

GROUP = "livefire.protocols"

INTERFACES: dict[str, type] = {}
"""Role → the interface its plugins implement; each protocol module registers its own."""


class ProtocolPluginError(ValueError):
    """A named plugin that is missing or malformed."""


def register_interface(role: str, interface: type) -> None:
    INTERFACES[role] = interface


def required_methods(interface: type) -> list[str]:
    """The public methods an interface (a typing.Protocol or ABC) declares."""
    return sorted(
        name
        for name, member in vars(interface).items()
        if not name.startswith("_") and callable(member)
    )


def load_protocol(name: str, role: str) -> type:
    """The plugin class named `name` for `role`; ProtocolPluginError saying what is wrong."""
    entries = {e.name: e for e in importlib.metadata.entry_points(group=GROUP)}
    if name not in entries:
        known = ", ".join(sorted(entries)) or "none installed"
        raise ProtocolPluginError(f"no protocol plugin '{name}' in {GROUP} (installed: {known})")
    entry = entries[name]
    where = f"protocol plugin '{name}' ({entry.value})"
    try:
        plugin = entry.load()
    except Exception as exc:  # a plugin's import may fail in any way: report, never crash
        raise ProtocolPluginError(
            f"{where}: cannot be loaded: {type(exc).__name__}: {exc}"
        ) from None
    if not inspect.isclass(plugin):
        raise ProtocolPluginError(f"{where}: is a {type(plugin).__name__}, expected a class")
    declared = getattr(plugin, "role", None)
    if declared != role:
        raise ProtocolPluginError(f"{where}: its role is {declared!r}, but it is used as {role!r}")
    interface = INTERFACES.get(role)
    if interface is not None:
        missing = [m for m in required_methods(interface) if not callable(getattr(plugin, m, None))]
        if missing:
            raise ProtocolPluginError(
                f"{where}: lacks {', '.join(missing)} of the {role} protocol interface"
            )
    return plugin


def build_protocol(name: str, role: str, options: dict[str, Any]) -> Any:
    """One instance of the plugin, for one simulated user."""
    return load_protocol(name, role)(options)
