"""Redis drivers: kill the primary, force a Sentinel failover, cut a replica's link.

- `redis-kill` stops the primary with `SHUTDOWN NOSAVE` (default), `DEBUG SEGFAULT` (needs
  `enable-debug-command`) or SIGKILL of the pid Redis reports in `INFO server` (loopback
  only). Self-healing: Sentinel promotes a replica; revert restarts the old primary only if
  the target has a restart command and nothing answers at its address.
- `redis-failover` asks the first Sentinel that answers to `SENTINEL FAILOVER <master>`.
  Self-healing too: a failover is the recovery being rehearsed, so revert does nothing.
- `redis-replica-cut` cuts the replica's replication link and keeps it cut: it sets the
  replica's `masterauth` to a password its primary does not know and drops the link
  (`CLIENT KILL TYPE master`), so every reconnection fails at AUTH; the replica stays a
  replica, serving ever staler reads. Revert clears `masterauth`; the replica reconnects
  within a second and resyncs. Why not the alternatives: `REPLICAOF NO ONE` makes the
  replica a primary, which Sentinel turns back into a replica by itself within seconds (and
  a stale primary is not a cut link); a fault proxy on a separate replication-link address
  does not last either, as Sentinel points a replica back at the address it monitors
  (`+fix-slave-config`), which clients use too. Refused when the replica already
  authenticates to its primary (a `masterauth` livefire would have to keep in its journal to
  restore), or when the address is not a replica.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any
from urllib.parse import urlsplit

import redis

from chaos.drivers.process import restart, running, start_time
from chaos.model import DRIVERS
from livefire.base.errors import FaultError

TIMEOUT_S = 3.0


def client(address: str, timeout: float = TIMEOUT_S) -> redis.Redis:
    url = address if "://" in address else f"redis://{address}"
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def primary_of(sentinels: list[str], master: str, timeout: float = TIMEOUT_S) -> str:
    """host:port of `master` according to the first Sentinel that answers."""
    errors = []
    for address in sentinels:
        try:
            found = client(address, timeout).sentinel_get_master_addr_by_name(master)
        except redis.RedisError as exc:
            errors.append(f"{address}: {exc}")
            continue
        if isinstance(found, tuple | list):
            return f"{_text(found[0])}:{int(found[1])}"
        errors.append(f"{address}: unknown master '{master}'")
    raise FaultError(f"no Sentinel knows the primary: {'; '.join(errors)}")


def answers(address: str, timeout: float = 1.0) -> bool:
    try:
        return bool(client(address, timeout).ping())
    except redis.RedisError:
        return False


class RedisKill:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.address: str = spec["address"]
        self.method: str = spec.get("method", "shutdown")
        self.pid: int | None = spec.get("pid")
        self.started: int | None = spec.get("started")
        self.restart_argv: list[str] = list(spec.get("restart_argv") or [])
        self.timeout: float = float(spec.get("timeout_s", TIMEOUT_S))

    @classmethod
    def build(cls, address: str, method: str, restart_argv: list[str]) -> RedisKill:
        spec: dict[str, Any] = {"address": address, "method": method, "restart_argv": restart_argv}
        host = urlsplit(f"redis://{address.split('://')[-1]}").hostname
        if not answers(address, TIMEOUT_S):
            raise FaultError(f"redis {address} does not answer PING: nothing to kill")
        if host in ("127.0.0.1", "localhost", "::1"):
            try:
                pid = int(client(address).info("server")["process_id"])
            except (redis.RedisError, KeyError) as exc:
                raise FaultError(f"redis {address}: INFO server: {exc}") from None
            spec.update(pid=pid, started=start_time(pid))
        elif method == "sigkill":
            raise FaultError(f"redis {address}: sigkill needs a primary on this host")
        return cls(spec)

    def inject(self) -> None:
        if self.method == "sigkill":
            if self.pid is None or start_time(self.pid) != self.started:
                raise FaultError(f"redis {self.address}: pid {self.pid} is not running")
            os.kill(self.pid, signal.SIGKILL)
            return
        if self.method == "shutdown":
            # NOW (Redis >= 7): a crash does not wait for lagging replicas; older: without it
            if not self._send("SHUTDOWN", "NOSAVE", "NOW"):
                self._send("SHUTDOWN", "NOSAVE")
        else:
            self._send("DEBUG", "SEGFAULT")
        deadline = time.monotonic() + self.timeout
        while answers(self.address, 0.5):
            if time.monotonic() > deadline:
                raise FaultError(
                    f"redis {self.address}: still up {self.timeout:g} s after {self.method}"
                )
            time.sleep(0.1)

    def _send(self, *command: str) -> bool:
        """Send a command that should kill the server; False if it rejected the syntax."""
        try:
            client(self.address, self.timeout).execute_command(*command)
        except (redis.ConnectionError, redis.TimeoutError):
            return True  # the server went away mid-reply: that is the point
        except redis.ResponseError as exc:
            if "syntax" in str(exc).lower() and command[-1] == "NOW":
                return False
            raise FaultError(f"redis {self.address}: {' '.join(command)}: {exc}") from None
        except redis.RedisError as exc:
            raise FaultError(f"redis {self.address}: {' '.join(command)}: {exc}") from None
        return True

    def revert(self) -> None:
        if not self.restart_argv or answers(self.address) or running(self.restart_argv):
            return
        restart(self.restart_argv)

    def spec(self) -> dict[str, Any]:
        return {
            "driver": "redis-kill",
            "address": self.address,
            "method": self.method,
            "pid": self.pid,
            "started": self.started,
            "restart_argv": self.restart_argv,
            "timeout_s": self.timeout,
        }


class RedisFailover:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.sentinels: list[str] = list(spec["sentinels"])
        self.master: str = spec["master"]
        self.timeout: float = float(spec.get("timeout_s", TIMEOUT_S))

    def inject(self) -> None:
        errors = []
        for address in self.sentinels:
            try:
                client(address, self.timeout).sentinel_failover(self.master)
                return
            except redis.RedisError as exc:
                errors.append(f"{address}: {exc}")
        raise FaultError(f"SENTINEL FAILOVER {self.master} refused: {'; '.join(errors)}")

    def revert(self) -> None:
        """Nothing: the new primary stays (fail back with another failover if wanted)."""

    def spec(self) -> dict[str, Any]:
        return {
            "driver": "redis-failover",
            "sentinels": self.sentinels,
            "master": self.master,
            "timeout_s": self.timeout,
        }


class RedisReplicaCut:
    CUT_PASSWORD = "livefire-replica-cut"
    """The `masterauth` that keeps the link cut (recognisable in the replica's log)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.replica: str = spec["replica"]
        self.timeout: float = float(spec.get("timeout_s", TIMEOUT_S))

    @classmethod
    def build(cls, replica: str) -> RedisReplicaCut:
        cut = cls({"replica": replica})
        role = cut._call("ROLE")
        if _text(role[0]) != "slave":
            raise FaultError(f"redis {replica} is not a replica (ROLE says {_text(role[0])})")
        auth = cut._call("CONFIG", "GET", "masterauth")
        if len(auth) > 1 and _text(auth[1]) not in ("", cls.CUT_PASSWORD):
            raise FaultError(
                f"redis replica {replica} authenticates to its primary (masterauth is set); "
                "livefire will not keep that password in its journal to restore it: cut the "
                "link with a proxy, command or webhook fault instead"
            )
        return cut

    def _call(self, *args: Any) -> Any:
        try:
            return client(self.replica, self.timeout).execute_command(*args)
        except redis.RedisError as exc:
            raise FaultError(f"redis {self.replica}: {' '.join(map(str, args))}: {exc}") from None

    def inject(self) -> None:
        self._call("CONFIG", "SET", "masterauth", self.CUT_PASSWORD)
        self._call("CLIENT", "KILL", "TYPE", "master")

    def revert(self) -> None:
        self._call("CONFIG", "SET", "masterauth", "")

    def spec(self) -> dict[str, Any]:
        return {"driver": "redis-replica-cut", "replica": self.replica, "timeout_s": self.timeout}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


DRIVERS.add("redis-kill", RedisKill)
DRIVERS.add("redis-failover", RedisFailover)
DRIVERS.add("redis-replica-cut", RedisReplicaCut)
