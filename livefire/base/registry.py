"""Name → thing registries: faults, SLIs and report formats register by name, and an unknown
name is an error with a suggestion, never a silent skip."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


def suggest(name: object, known: Iterable[str], *, listing: bool = True) -> str:
    """`; did you mean 'latency'?` for a near miss, else (with `listing`) the known names.

    The one did-you-mean of livefire: faults, toxics, sabotages, topology keys, report
    formats and scenario keys all phrase it the same way."""
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6) if isinstance(name, str) else []
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; known: {', '.join(names)}" if listing and names else ""


class Registry(Generic[T]):
    """A registry of one kind of extension, e.g. `Registry[FaultType]("fault")`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def add(item: T) -> T:
            self.add(name, item)
            return item

        return add

    def add(self, name: str, item: T) -> None:
        if name in self._items:
            raise ValueError(f"{self.kind} '{name}' is registered twice")
        self._items[name] = item

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(self.unknown(name)) from None

    def unknown(self, name: str) -> str:
        return f"unknown {self.kind} '{name}'{suggest(name, self.names())}"

    def names(self) -> tuple[str, ...]:
        return tuple(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)
