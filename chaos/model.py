"""The fault model: fault types, the drivers they build, and the targets they act on.

A driver has one required interface (`inject`, `revert`, `spec`) and one optional ability,
`Fallback.fallback()`: a heavier way to undo a fault when `revert()` keeps failing (the
safety net tries it; see `chaos.safety`). A fault type says which *kind* of target it needs
(`proxy`, `process`, `redis`, `command`, `webhook`), so a fault aimed at the wrong kind of
target is refused before anything starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, ValidationError

from livefire.base.errors import FaultError
from livefire.base.registry import Registry, suggest

TARGET_KINDS = ("proxy", "process", "redis", "command", "webhook")


class Params(BaseModel):
    """Base of every fault's parameter model: unknown parameters are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Driver(Protocol):
    """The hands of one fault: how to inject it and how to undo it.

    `spec()` is plain JSON from which `DRIVERS.get(spec["driver"])(spec)` rebuilds an equal
    driver in another process, so the watchdog and `livefire chaos revert` can undo a fault
    from the journal alone. `revert()` must be idempotent: undoing twice does nothing more.
    `spec()` is journaled before `inject()` and again after it, so a driver may record in its
    spec what it learnt while injecting (e.g. the proxy definition a fallback recreates).
    """

    def inject(self) -> None: ...

    def revert(self) -> None: ...

    def spec(self) -> dict[str, Any]: ...


@runtime_checkable
class Fallback(Protocol):
    """Optional: a driver that can undo its fault another way once `revert()` has failed."""

    def fallback(self) -> None: ...


@dataclass(frozen=True)
class TargetRef:
    """What a declared target name means on the running platform (see `chaos.targets`).

    A target may be several kinds at once, e.g. a Redis primary that has a pid and a proxy.
    """

    name: str
    proxy_api: str | None = None  # the Toxiproxy-compatible API fronting this target's link
    proxy: str | None = None  # the proxy's name in that API
    token_env: str | None = None  # env var holding the proxy API token (never the token)
    pids: tuple[int, ...] = ()  # process: pids known when the target was described
    pid_file: str | None = None  # process: a file holding the pid, or a ready file's {"pid"}
    cmdline: tuple[str, ...] = ()  # process: its exact command line, found again in /proc
    pid_command: tuple[str, ...] = ()  # process: argv that prints pids, one per line
    restart_argv: tuple[str, ...] = ()  # process: how to start it again after a kill
    redis_url: str | None = None  # redis: the primary, redis://host:port
    redis_replica_url: str | None = None  # redis: one replica of that primary
    sentinels: tuple[str, ...] = ()  # redis: Sentinel addresses, host:port
    sentinel_master: str = "mymaster"  # redis: the master's name in Sentinel
    command: Mapping[str, Any] | None = field(default=None, hash=False)  # {inject, revert, ...}
    webhook: Mapping[str, Any] | None = field(default=None, hash=False)  # {inject, revert, ...}

    def kinds(self) -> tuple[str, ...]:
        """Every kind of fault this target can take."""
        has = {
            "proxy": bool(self.proxy_api and self.proxy),
            "process": bool(self.pids or self.pid_file or self.pid_command or self.cmdline),
            "redis": bool(self.redis_url or self.sentinels),
            "command": self.command is not None,
            "webhook": self.webhook is not None,
        }
        return tuple(kind for kind in TARGET_KINDS if has[kind])


@dataclass(frozen=True)
class FaultType:
    """A catalog entry: a named fault with typed parameters and sensible defaults."""

    name: str
    summary: str
    self_healing: bool  # recovery is timed from injection (a kill) rather than revert
    params: type[Params]
    build: Callable[[TargetRef, Any, str], Driver]  # (target, params, fault id)
    target_kind: str = "proxy"  # one of TARGET_KINDS: what the target must offer

    def mismatch(self, target: TargetRef) -> str | None:
        """Why this fault cannot act on `target`, or None when it can."""
        if self.target_kind in target.kinds():
            return None
        offers = ", ".join(target.kinds()) or "nothing a fault can act on"
        return (
            f"fault '{self.name}' needs a {self.target_kind} target, but target "
            f"'{target.name}' offers: {offers}"
        )

    def create(self, target: TargetRef, params: Mapping[str, Any], fault_id: str) -> Driver:
        """Check the target and the parameters, then build the driver (nothing injected yet)."""
        problem = self.mismatch(target)
        if problem:
            raise FaultError(problem)
        try:
            typed = self.params.model_validate(dict(params))
        except ValidationError as exc:
            raise FaultError(f"fault '{self.name}': {_first_problem(exc, self.params)}") from None
        return self.build(target, typed, fault_id)


def _first_problem(exc: ValidationError, model: type[Params]) -> str:
    """`params.latency_ms: Input should be ..., got 'fast'`, or a did-you-mean for a typo."""
    error = exc.errors()[0]
    where = "params." + ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        return (
            f"{where}: unknown parameter{suggest(str(error['loc'][-1]), list(model.model_fields))}"
        )
    return f"{where}: {error['msg']}, got {error['input']!r}"


FAULTS: Registry[FaultType] = Registry("fault")
DRIVERS: Registry[Callable[[dict[str, Any]], Driver]] = Registry("fault driver")
