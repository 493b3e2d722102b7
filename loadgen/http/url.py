"""Absolute http:// and https:// URLs split into what a request needs: where to connect, whether
over TLS, what to ask for."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
"""The schemes the lean client fetches, with the port each implies (and leaves out of Host)."""


class UnsupportedUrl(ValueError):
    """The URL cannot be fetched by the lean client (not absolute, or not http:// or https://)."""


@dataclass(frozen=True, slots=True)
class Target:
    """One request target: the socket address, TLS or not, the Host header and request-target."""

    host: str
    """Host to connect to (IPv6 without brackets); also the default TLS server name."""
    port: int
    host_header: str
    """Value of the Host header: host, plus :port when not the scheme's default."""
    target: str
    """Origin-form request-target: path plus ?query, never empty."""
    path: str
    """Path without query: the default request name in Locust's statistics."""
    tls: bool = False
    """An https:// URL: the connection is TLS."""

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)


@lru_cache(maxsize=8192)
def parse_url(url: str) -> Target:
    """Split an absolute http:// or https:// URL; cached because viewers fetch the same playlist
    every second. Raises UnsupportedUrl for relative URLs and other schemes."""
    parts = urlsplit(url)
    default_port = DEFAULT_PORTS.get(parts.scheme)
    if default_port is None:
        raise UnsupportedUrl(
            f"{url!r}: the lean HTTP client fetches only absolute http:// and https:// URLs, "
            f"not {parts.scheme + '://' if parts.scheme else 'relative URLs'} "
            "(resolve relative URLs against the playlist's URL first)"
        )
    host = parts.hostname
    if not host:
        raise UnsupportedUrl(f"{url!r}: no host in the URL")
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise UnsupportedUrl(f"{url!r}: {exc}") from None
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == default_port else f"{shown}:{port}"
    path = parts.path or "/"
    target = f"{path}?{parts.query}" if parts.query else path
    return Target(host, port, host_header, target, path, parts.scheme == "https")
