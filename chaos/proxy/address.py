"""host:port strings as Toxiproxy writes them, and the loopback rule for listen addresses."""

from __future__ import annotations

import ipaddress

from chaos.proxy.errors import ApiError, Err


def split_address(address: str) -> tuple[str, int]:
    """`host:port` or `[v6]:port` into (host, port); an empty host means every interface."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ApiError(Err.BAD_REQUEST_BODY, f"address {address!r}: expected host:port")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


def join_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IPs; every-interface ("", 0.0.0.0, ::) is not."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_listen(address: str, allow_remote: bool) -> tuple[str, int]:
    """The (host, port) to bind; an off-loopback host without `allow_remote` is refused (400)."""
    host, port = split_address(address)
    if not allow_remote and not is_loopback(host):
        raise ApiError(Err.REMOTE_REFUSED, f"listen {address!r}")
    return host or "0.0.0.0", port
