"""Absolute http:// URLs split into what a request needs: where to connect, what to ask for."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit


class UnsupportedUrl(ValueError):
    """The URL cannot be fetched by the lean client (not absolute, or not plain http://)."""


@dataclass(frozen=True, slots=True)
class Target:
    """One request target: the socket address, the Host header and the request-target."""

    host: str
    """Host to connect to (IPv6 without brackets)."""
    port: int
    host_header: str
    """Value of the Host header: host, plus :port when not 80."""
    target: str
    """Origin-form request-target: path plus ?query, never empty."""
    path: str
    """Path without query: the default request name in Locust's statistics."""

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)


@lru_cache(maxsize=8192)
def parse_url(url: str) -> Target:
    """Split an absolute http:// URL; cached because viewers fetch the same playlist every second.

    Raises UnsupportedUrl for https:// (the lean client has no TLS: use FastHttpSession there),
    relative URLs and other schemes.
    """
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise UnsupportedUrl(
            f"{url!r}: the lean HTTP client fetches only absolute http:// URLs, "
            f"not {parts.scheme + '://' if parts.scheme else 'relative URLs'} "
            "(resolve relative URLs first; use locust's FastHttpSession for https)"
        )
    host = parts.hostname
    if not host:
        raise UnsupportedUrl(f"{url!r}: no host in the URL")
    try:
        port = parts.port or 80
    except ValueError as exc:
        raise UnsupportedUrl(f"{url!r}: {exc}") from None
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == 80 else f"{shown}:{port}"
    path = parts.path or "/"
    target = f"{path}?{parts.query}" if parts.query else path
    return Target(host, port, host_header, target, path)
