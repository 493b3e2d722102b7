"""Fault targets: what a scenario may break, declared once and resolved into `TargetRef`s.

One format serves both worlds. The embedded platform describes itself (`Platform.describe()`)
and a staging scenario declares its targets; both become `resolve_targets(description)`:

    {
      "proxy_api": "http://127.0.0.1:8474",   # default for every proxy target
      "proxy_token_env": "TOXIPROXY_TOKEN",    # optional: env var holding the API token
      "components": {"transcoder-1": {"pid": 4242, "restart": ["python", "-m", "..."]}},
      "fault_targets": {                       # name -> TargetDecl (below)
        "edge-eu":      {"proxy": "edge-eu"},
        "transcoder-1": {"component": "transcoder-1"},
        "redis":        {"redis": {"url": "redis://127.0.0.1:6379",
                                   "replica_url": "redis://127.0.0.1:6380",
                                   "sentinels": ["127.0.0.1:26379"], "master": "mymaster"},
                         "component": "redis-primary"},
        "payments":     {"webhook": {"inject": {"url": "https://ops/chaos/pay/on"},
                                     "revert": {"url": "https://ops/chaos/pay/off"}}},
        "chat-2":       {"pid_file": "/run/chat-2.pid",
                         "restart": ["systemctl", "start", "chat@2"]},
        "k8s-transcoder": {"command": {"inject": ["kubectl", "delete", "pod", "tc-0"]}}
      }
    }

A `component` reference takes `pid` (or `pids`) and `restart` (an argv list) from the
platform's `components` entry of that name, and — so that a fault after a restart finds the
new process — its `ready_file` (JSON with the current pid, rewritten by every start) or its
exact `cmdline` (looked up in /proc), when the entry has one. Only names under
`fault_targets` are targets: nothing else can be touched.

A proxy API token is never held here, only the name of the environment variable holding it
(`proxy_token_env`, `token_env`): drivers read it when they call, so the journal holds the
name, and every reverter (the watchdog, `livefire chaos revert`) reads it from the same place.

`platform_processes` names the processes of an embedded platform (a description with a
`run_dir`) as they run now: the owner the journal records for each fault on it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chaos.drivers.process import running, start_time
from chaos.model import TargetRef
from livefire.base.description import TargetDescription
from livefire.base.errors import SetupError


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CommandDecl(Model):
    """Commands for the `command` fault: argv lists, run without a shell."""

    inject: tuple[str, ...] = Field(min_length=1)  # e.g. [kubectl, delete, pod, tc-0]
    revert: tuple[str, ...] = ()  # empty: the fault is one-way (a controller heals it)


class HttpCall(Model):
    """One webhook call."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    url: str = Field(pattern=r"^https?://")
    json_: Any = Field(default=None, alias="json")  # request body
    headers: dict[str, str] = Field(default_factory=dict)  # value "env:NAME" reads $NAME

    def as_spec(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "json": self.json_, "headers": self.headers}


class WebhookDecl(Model):
    """Webhooks for the `webhook` fault."""

    inject: HttpCall
    revert: HttpCall | None = None


class RedisDecl(Model):
    """A Redis deployment: the primary, a replica, and the Sentinels watching them."""

    url: str | None = None  # the primary, redis://host:port
    replica_url: str | None = None  # a replica (redis-replica-cut)
    sentinels: tuple[str, ...] = ()  # host:port of each Sentinel
    master: str = "mymaster"  # the master's name in Sentinel

    @model_validator(mode="after")
    def _somewhere(self) -> RedisDecl:
        if not (self.url or self.sentinels):
            raise ValueError("expected 'url' or 'sentinels'")
        return self


class TargetDecl(Model):
    """One fault target: every way of reaching it that it offers (at least one)."""

    proxy: str | None = None  # the proxy's name in the fault proxy API
    proxy_api: str | None = None  # that API; default: the description's `proxy_api`
    token_env: str | None = None  # env var holding that API's token
    component: str | None = None  # embedded: take pid(s) and restart from `components`
    pid: int | None = Field(default=None, gt=0)
    pids: tuple[int, ...] = ()
    pid_file: str | None = None  # staging: a pid file on this host
    pid_command: tuple[str, ...] = ()  # staging: argv printing pids, one per line
    restart: tuple[str, ...] = ()  # argv that starts the process again after a kill
    redis: RedisDecl | None = None
    command: CommandDecl | None = None
    webhook: WebhookDecl | None = None

    @model_validator(mode="after")
    def _reachable(self) -> TargetDecl:
        ways: tuple[object, ...] = (self.proxy, self.component, self.pid, self.pids)
        ways += (self.pid_file, self.pid_command, self.redis, self.command, self.webhook)
        if not any(ways):
            raise ValueError(
                "expected at least one of proxy, component, pid, pids, pid_file, "
                "pid_command, redis, command, webhook"
            )
        return self


def resolve_targets(description: TargetDescription) -> dict[str, TargetRef]:
    """Every declared fault target as a TargetRef; SetupError listing every bad entry."""
    declared, components = description.fault_targets, description.components
    problems, refs = [], {}
    for name, raw in declared.items():
        try:
            decl = raw if isinstance(raw, TargetDecl) else TargetDecl.model_validate(raw)
            refs[name] = to_ref(name, decl, description, components)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                problems.append(
                    f"fault_targets.{name}{'.' + where if where else ''}: {error['msg']}"
                )
        except SetupError as exc:
            problems.append(f"fault_targets.{name}: {exc}")
    if problems:
        raise SetupError("invalid fault targets:\n" + "\n".join(problems))
    return refs


def to_ref(
    name: str,
    decl: TargetDecl,
    description: TargetDescription,
    components: Mapping[str, Mapping[str, Any]],
) -> TargetRef:
    pids, restart = list(decl.pids) + ([decl.pid] if decl.pid else []), list(decl.restart)
    pid_file, cmdline = decl.pid_file, tuple[str, ...]()
    if decl.component:
        if decl.component not in components:
            raise SetupError(f"unknown component '{decl.component}'")
        component = components[decl.component]
        pids += [int(p) for p in component.get("pids", [])]
        pids += [int(component["pid"])] if component.get("pid") else []
        restart = restart or [str(a) for a in component.get("restart") or []]
        pid_file = pid_file or component.get("ready_file") or None
        cmdline = tuple(str(a) for a in component.get("cmdline") or ())
    redis = decl.redis
    api = decl.proxy_api or description.proxy_api or None
    if decl.proxy and not api:
        raise SetupError(f"proxy '{decl.proxy}' but no proxy_api to reach it")
    return TargetRef(
        name=name,
        proxy_api=api if decl.proxy else None,
        proxy=decl.proxy,
        token_env=_token_env(decl.token_env or description.proxy_token_env),
        pids=tuple(pids),
        pid_file=pid_file,
        cmdline=cmdline,
        pid_command=decl.pid_command,
        restart_argv=tuple(restart),
        redis_url=redis.url if redis else None,
        redis_replica_url=redis.replica_url if redis else None,
        sentinels=redis.sentinels if redis else (),
        sentinel_master=redis.master if redis else "mymaster",
        command=decl.command.model_dump() if decl.command else None,
        webhook=_webhook(decl.webhook),
    )


def _token_env(env: str | None) -> str | None:
    """The variable's name, once it is known to be set (its value stays in the environment)."""
    if not env:
        return None
    if env not in os.environ:
        raise SetupError(f"environment variable {env} (the proxy API token) is not set")
    return env


def platform_processes(description: TargetDescription) -> list[list[int]] | None:
    """[pid, start time] of every process of an embedded platform as it runs now (a restarted
    component by its ready file or command line); None for a platform livefire did not start."""
    if not description.run_dir:
        return None
    found: set[tuple[int, int]] = set()
    for component in description.components.values():
        for pid in _current_pids(component):
            if start := start_time(pid):
                found.add((pid, start))
    return [list(proc) for proc in sorted(found)] or None


def _current_pids(component: Mapping[str, Any]) -> list[int]:
    pids = [int(p) for p in component.get("pids", [])]
    pids += [int(component["pid"])] if component.get("pid") else []
    if component.get("cmdline"):
        pids += running([str(a) for a in component["cmdline"]])
    if component.get("ready_file"):
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):  # unreadable: the above
            pids.append(int(json.loads(Path(component["ready_file"]).read_text())["pid"]))
    return pids


def _webhook(decl: WebhookDecl | None) -> dict[str, Any] | None:
    if decl is None:
        return None
    return {"inject": decl.inject.as_spec(), "revert": decl.revert and decl.revert.as_spec()}


__all__ = [
    "CommandDecl",
    "HttpCall",
    "RedisDecl",
    "TargetDecl",
    "WebhookDecl",
    "platform_processes",
    "resolve_targets",
]
