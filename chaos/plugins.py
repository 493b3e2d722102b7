"""Third-party fault types, loaded from the entry-point group `livefire.faults`.

A plugin distribution declares, in its pyproject.toml:

    [project.entry-points."livefire.faults"]
    disk-fill = "acme_chaos.disk_fill:FAULT"     # a chaos.model.FaultType named "disk-fill"

Importing the module must also register the driver(s) its faults build in `DRIVERS`, so the
watchdog and `livefire chaos revert` can rebuild them from the journal. A plugin is refused,
with a message naming it, when it cannot be imported, is not a FaultType, is named
differently from its entry point, needs an unknown target kind, or clashes with a fault
already in the catalog.
"""

from __future__ import annotations

import importlib.metadata

from chaos.catalog import FAULTS
from chaos.model import TARGET_KINDS, FaultType
from livefire.base.errors import PluginError

GROUP = "livefire.faults"


def load_plugins(strict: bool = True) -> list[str]:
    """Add every installed plugin's fault to FAULTS (idempotent); return their names.

    With `strict=False` (the watchdog, `chaos revert`) refused plugins are skipped, so one
    broken plugin never stops the safety net from reverting everything else.
    """
    loaded, problems = [], []
    for entry in importlib.metadata.entry_points(group=GROUP):
        where = f"plugin '{entry.name}' ({entry.value}"
        if entry.dist is not None:
            where += f", from {entry.dist.name} {entry.dist.version}"
        problem = _add(entry, where + ")")
        if problem:
            problems.append(problem)
        else:
            loaded.append(entry.name)
    if problems and strict:
        raise PluginError("\n".join(problems))
    return loaded


def _add(entry: importlib.metadata.EntryPoint, where: str) -> str | None:
    try:
        fault = entry.load()
    except Exception as exc:  # a plugin's import may fail in any way: report, never crash
        return f"{where}: cannot be loaded: {type(exc).__name__}: {exc}"
    if not isinstance(fault, FaultType):
        return f"{where}: is a {type(fault).__name__}, expected a chaos.model.FaultType"
    if fault.name != entry.name:
        return f"{where}: its FaultType is named '{fault.name}'; name the entry point the same"
    if fault.target_kind not in TARGET_KINDS:
        return (
            f"{where}: unknown target kind '{fault.target_kind}'; "
            f"expected one of {', '.join(TARGET_KINDS)}"
        )
    if fault.name in FAULTS:
        if FAULTS.get(fault.name) is fault:
            return None  # loaded before
        return f"{where}: fault '{fault.name}' is already in the catalog; rename the plugin's"
    FAULTS.add(fault.name, fault)
    return None
