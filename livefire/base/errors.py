"""The one exception tree of livefire.

    LivefireError                 root: everything livefire raises on purpose
    ├── ScenarioError             the scenario file is invalid (carries every problem found)
    ├── SetupError                the target, the load generator or a tool could not start
    │   └── PluginError           a fault plugin was refused (names the plugin and why)
    ├── FaultError                a fault could not be injected or reverted
    ├── RunAborted                a guard SLI or the operator stopped the run
    ├── ReportError               a report format is unknown or could not be rendered
    ├── TelemetryError            a run's telemetry file is corrupt (names file and line)
    ├── RunDirError               a run directory cannot be compared: report.json missing or
    │                             corrupt (names file and field), or another scenario's run
    ├── UsageError                bad command-line input
    └── ProxyError                the fault proxy, its config or one of its proxies could not
        │                         be set up (bad config file, refused address, port in use)
        └── ApiError              (chaos.proxy.errors) one entry of the proxy API's error
                                  table, answered as JSON with its HTTP status

The CLI maps them to exit codes: RunAborted → 3, every other one → 2.
"""

from __future__ import annotations

from dataclasses import dataclass


class LivefireError(Exception):
    """Root of every error livefire raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is, and what is wrong."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class ScenarioError(LivefireError):
    """The scenario is invalid; `problems` lists every problem, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class SetupError(LivefireError):
    """The target, the load generator or a required tool could not be started."""


class FaultError(LivefireError):
    """A fault could not be injected or reverted."""


class RunAborted(LivefireError):
    """The run was stopped before its end: by the operator or by a guard SLI."""


class ReportError(LivefireError):
    """A report format is unknown, or rendering it failed (the other formats are still written)."""


class PluginError(SetupError):
    """A fault plugin was refused; the message names every refused plugin and why."""


class TelemetryError(LivefireError):
    """A run's telemetry cannot be read: the message names the file and the line."""


class RunDirError(LivefireError):
    """A run directory given to `livefire compare` cannot be read or compared: the message
    names the file and the field, or both scenarios."""


class UsageError(LivefireError):
    """Bad command-line input (exit 2)."""


class ProxyError(LivefireError):
    """The proxy server, its config file or one of its proxies could not be set up."""
