"""The fault model: fault types, the drivers they build, and the targets they act on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from livefire.registry import Registry


class Params(BaseModel):
    """Base of every fault's parameter model: unknown parameters are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Driver(Protocol):
    """The hands of one fault: how to inject it and how to undo it.

    `spec()` is plain JSON from which `DRIVERS.get(spec["driver"])(spec)` rebuilds an equal
    driver in another process, so the watchdog and `livefire chaos revert` can undo a fault
    from the journal alone. `revert()` must be idempotent: undoing twice does nothing more.
    """

    def inject(self) -> None: ...

    def revert(self) -> None: ...

    def spec(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class TargetRef:
    """What a declared target name means on the running platform."""

    name: str
    proxy_api: str | None = None  # the Toxiproxy-compatible API fronting this target's link
    proxy: str | None = None  # the proxy's name in that API
    token: str | None = None  # the proxy API token, if it requires one


@dataclass(frozen=True)
class FaultType:
    """A catalog entry: a named fault with typed parameters and sensible defaults."""

    name: str
    summary: str
    self_healing: bool  # recovery is timed from injection (a kill) rather than revert
    params: type[Params]
    build: Callable[[TargetRef, Any, str], Driver]  # (target, params, fault id)


FAULTS: Registry[FaultType] = Registry("fault")
DRIVERS: Registry[Callable[[dict[str, Any]], Driver]] = Registry("fault driver")
