"""Response headers parsed only when someone reads them.

Most segment responses are never inspected beyond status and body, so the header block is kept
as bytes and split into a dict on first access: that keeps httptools' per-header callbacks
(and their Python calls) off the hot path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping


class Headers(Mapping[str, str]):
    """Lower-case header names to values; a repeated header keeps its last value, except
    Set-Cookie, whose values are joined by newlines (a cookie's date has commas in it)."""

    __slots__ = ("_parsed", "_raw")

    def __init__(self, raw: bytes = b"") -> None:
        self._raw = raw
        """The header block: status line and header lines, without the final blank line."""
        self._parsed: dict[str, str] | None = None

    def _fields(self) -> dict[str, str]:
        parsed = self._parsed
        if parsed is None:
            parsed = {}
            for line in self._raw.decode("latin-1").replace("\r\n", "\n").split("\n")[1:]:
                name, _, value = line.partition(":")
                if name:
                    key = name.strip().lower()
                    if key == "set-cookie" and key in parsed:  # each cookie its own line
                        parsed[key] += "\n" + value.strip()
                    else:
                        parsed[key] = value.strip()
            self._parsed = parsed
            self._raw = b""
        return parsed

    def __getitem__(self, name: str) -> str:
        return self._fields()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields())

    def __len__(self) -> int:
        return len(self._fields())

    def __repr__(self) -> str:
        return f"Headers({self._fields()!r})"
