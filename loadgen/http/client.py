"""LeanHttpClient: the few-microsecond GET that lets one core play thousands of HLS viewers.

One client per simulated user. It keeps one keep-alive connection per host (more only if the
user's greenlets fetch from the same host concurrently), reconnects after a close or an error,
follows no redirects and reads every body fully into memory.

https:// URLs go over TLS with the call's `tls` settings (the system store and verification
when none are given). Idle connections are pooled by address and TLS settings together, so two
endpoints on one host with different CAs, client certificates or server names never share
one; a plain http:// request is keyed, prepared and sent exactly as before, with no TLS work.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from livefire.base.connect import Tls
from loadgen import tls as tls_contexts
from loadgen.http.connection import Connection, ConnectionLost, Exchange, HandshakeFailed
from loadgen.http.deadline import DeadlineExceeded, watchdog
from loadgen.http.headers import Headers
from loadgen.http.request import encode_get
from loadgen.http.response import ResponseError
from loadgen.http.result import HttpResult, RequestFailed
from loadgen.http.url import Target, parse_url

_STALE = (ConnectionLost, ConnectionResetError, BrokenPipeError)
"""Failures of a reused idle connection that mean "the server closed it meanwhile": retry once."""

PoolKey = tuple[str, int] | tuple[str, int, Tls]
"""(host, port) of a plain connection; (host, port, its TLS settings) of a TLS one."""


class LeanHttpClient:
    """HTTP/1.1 GETs over gevent sockets, reported to Locust when given its request event.

    `request_event` is `environment.events.request`: every request fires it with
    response_time measured from the intended send time, so Locust's statistics show
    the latency a viewer saw, including any delay the generator added itself.
    """

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        request_event: Any | None = None,
        user_agent: str = "livefire",
    ) -> None:
        self.timeout = timeout
        """Default seconds for connect + the whole response."""
        self._request_event = request_event
        self._user_agent = user_agent
        self._idle: dict[PoolKey, list[Connection]] = {}
        self._closed = False

    def get(
        self,
        url: str,
        *,
        name: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        intended: float | None = None,
        tls: Tls | None = None,
    ) -> HttpResult:
        """GET an absolute http:// or https:// URL; never raises for network, TLS or HTTP
        failures (a certificate that does not verify is a failed result saying so).

        `intended` is when the request should have left (time.time()); pass the schedule's time
        so that latency counts the generator's own lateness. `name` groups it in Locust's
        statistics (default: the URL's path). `tls` applies to https:// only (default: the
        system store, verification on). Raises UnsupportedUrl for relative URLs and other
        schemes, TlsSettingsError when `tls` names a CA, certificate or key that cannot be
        loaded.
        """
        if headers:
            target = parse_url(url)
            request = encode_get(target, self._user_agent, headers)
        else:
            target, request = _prepared(url, self._user_agent)
        timeout = self.timeout if timeout is None else timeout
        if target.tls:
            settings = tls or tls_contexts.DEFAULT
            result = self._fetch(url, target, request, timeout, intended, settings)
        else:
            result = self._fetch(url, target, request, timeout, intended, None)
        if self._request_event is not None:
            _report(self._request_event, result, name or target.path)
        return result

    def close(self) -> None:
        """Close every idle connection; connections in use close when their request ends."""
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    def __enter__(self) -> LeanHttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _fetch(
        self,
        url: str,
        target: Target,
        request: bytes,
        timeout: float,
        intended: float | None,
        tls: Tls | None,
    ) -> HttpResult:
        """One request; `tls` is None for http://. A new connection's connect and handshake
        happen between `began` and `sent`: latency, not the generator's own lateness."""
        started = time.time()
        key: PoolKey = target.address if tls is None else (target.host, target.port, tls)
        exchange = Exchange()
        connection: Connection | None = None
        guard = watchdog()
        guard.watch(time.monotonic() + timeout)
        try:
            connection, reused = self._checkout(key, target, tls)
            try:
                connection.exchange(request, exchange)
            except _STALE:
                if not reused or exchange.first_byte:
                    raise
                connection.close()
                connection = None
                connection = self._open(target, tls)
                exchange = Exchange()
                connection.exchange(request, exchange)
        except (OSError, ResponseError, DeadlineExceeded) as exc:
            if connection is not None:
                connection.close()
            error = _describe(exc, target, timeout, tls)
            return _result(url, connection, exchange, started, intended, error)
        finally:
            guard.unwatch()
        if connection.parser.keep_alive and not self._closed:
            self._idle.setdefault(key, []).append(connection)
        else:
            connection.close()
        return _result(url, connection, exchange, started, intended, None)

    def _checkout(self, key: PoolKey, target: Target, tls: Tls | None) -> tuple[Connection, bool]:
        idle = self._idle.get(key)
        if idle:
            return idle.pop(), True
        return self._open(target, tls), False

    @staticmethod
    def _open(target: Target, tls: Tls | None) -> Connection:
        if tls is None:
            return Connection.open(target.address)
        context = tls_contexts.client_context(tls)  # cached per distinct settings
        return Connection.open(target.address, context, tls.server_name or target.host)


def _report(request_event: Any, result: HttpResult, name: str) -> None:
    ok = result.ok
    request_event.fire(
        request_type="GET",
        name=name,
        response_time=result.latency_ms,
        response_length=len(result.body),
        response=result,
        context={},
        exception=None if ok else RequestFailed(result.error or f"HTTP {result.status}"),
        start_time=result.intended,
        url=result.url,
    )


@lru_cache(maxsize=8192)
def _prepared(url: str, user_agent: str) -> tuple[Target, bytes]:
    """The target and request bytes of a header-less GET: a viewer's playlist URL repeats."""
    target = parse_url(url)
    return target, encode_get(target, user_agent)


def _result(
    url: str,
    connection: Connection | None,
    exchange: Exchange,
    started: float,
    intended: float | None,
    error: str | None,
) -> HttpResult:
    sent = exchange.sent or started
    if connection is None or not exchange.first_byte:
        status, headers, body = 0, Headers(), b""
    else:
        parser = connection.parser
        status, headers, body = parser.status, parser.headers, parser.body
    return HttpResult(
        url=url,
        status=status,
        headers=headers,
        body=body,
        error=error,
        intended=started if intended is None else intended,
        sent=sent,
        began=started,
        first_byte=exchange.first_byte,
        last_byte=exchange.last_byte if error is None else 0.0,
    )


def _describe(exc: BaseException, target: Target, timeout: float, tls: Tls | None) -> str:
    """One short, stable message per failure kind: Locust groups its error table by it."""
    where = f"{target.host}:{target.port}"
    if tls is not None and isinstance(exc, HandshakeFailed | ssl.SSLError):
        return _describe_tls(exc, where, tls)
    if isinstance(exc, DeadlineExceeded | TimeoutError):
        return f"timeout after {float(timeout)} s"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {where}"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "connection reset"
    if isinstance(exc, ConnectionLost):
        return "connection closed before the response was complete"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve {target.host}: {exc.strerror}"
    if isinstance(exc, ResponseError):
        return f"{exc} (from {where})"
    return f"{type(exc).__name__} talking to {where}: {exc}"


def _describe_tls(exc: HandshakeFailed | ssl.SSLError, where: str, tls: Tls) -> str:
    """A TLS failure on one line, naming what to check: the CA (or the system store) and the
    name verified for a certificate that did not verify."""
    cause = exc.cause if isinstance(exc, HandshakeFailed) else exc
    if isinstance(cause, ssl.SSLCertVerificationError):
        store = f"ca: {tls.ca}" if tls.ca else "ca: the system store"
        named = f", server_name: {tls.server_name}" if tls.server_name else ""
        reason = (cause.verify_message or cause.reason or "unknown reason").rstrip(".")
        return f"TLS: certificate verify failed: {reason} ({store}{named}; from {where})"
    stage = "handshake" if isinstance(exc, HandshakeFailed) else "connection"
    if isinstance(cause, ssl.SSLEOFError | ConnectionLost) or (
        isinstance(cause, ssl.SSLError) and cause.reason == "UNEXPECTED_EOF_WHILE_READING"
    ):
        return f"TLS: {stage} with {where} cut short: closed by the server"
    if isinstance(cause, ConnectionResetError | BrokenPipeError):
        return f"TLS: {stage} with {where} cut short: connection reset"
    if isinstance(cause, ssl.SSLError):
        reason = (cause.reason or "error").lower().replace("_", " ")
        return f"TLS: {stage} with {where} failed: {reason}"
    return f"TLS: {stage} with {where} failed: {type(cause).__name__}: {cause}"
