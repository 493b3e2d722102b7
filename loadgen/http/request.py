"""HTTP/1.1 GET requests as bytes: no I/O, so it is unit-tested without sockets."""

from __future__ import annotations

from collections.abc import Mapping

from loadgen.http.url import Target


def encode_get(target: Target, user_agent: str, headers: Mapping[str, str] | None = None) -> bytes:
    """The bytes of a keep-alive GET for `target`; caller `headers` override the defaults.

    Asks for identity encoding (no Accept-Encoding) so body sizes are what crossed the wire.
    Raises ValueError when a header name or value would split the request (CR, LF).
    """
    fields = {"host": ("Host", target.host_header), "user-agent": ("User-Agent", user_agent)}
    fields["accept"] = ("Accept", "*/*")
    if headers:
        for name, value in headers.items():
            if any(c in name or c in value for c in "\r\n") or ":" in name:
                raise ValueError(f"header {name!r}: {value!r}: CR/LF in it, or a colon in its name")
            fields[name.lower()] = (name, value)
    lines = [f"GET {target.target} HTTP/1.1"]
    lines.extend(f"{name}: {value}" for name, value in fields.values())
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")
