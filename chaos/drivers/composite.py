"""A fault made of several drivers (e.g. latency + bandwidth + slicer on one link).

Injected in order, reverted in reverse order. Every part is reverted even when an earlier
one fails, so one stuck part never leaves the others in place; the first failure is raised
after all were tried. The fallback runs each part's own fallback, where it has one.
"""

from __future__ import annotations

from typing import Any

from chaos.model import DRIVERS, Driver, Fallback
from livefire.base.errors import FaultError


class AllOf:
    def __init__(self, parts: list[Driver]) -> None:
        self.parts = parts

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> AllOf:
        return cls([DRIVERS.get(part["driver"])(part) for part in spec["parts"]])

    def inject(self) -> None:
        for part in self.parts:
            part.inject()

    def revert(self) -> None:
        _each(reversed(self.parts), lambda part: part.revert())

    def fallback(self) -> None:
        _each(reversed(self.parts), _fallback_or_revert)

    def spec(self) -> dict[str, Any]:
        return {"driver": "all-of", "parts": [part.spec() for part in self.parts]}


def _fallback_or_revert(part: Driver) -> None:
    if isinstance(part, Fallback):
        try:
            part.revert()
        except FaultError:
            part.fallback()
    else:
        part.revert()


def _each(parts: Any, action: Any) -> None:
    errors = []
    for part in parts:
        try:
            action(part)
        except FaultError as exc:
            errors.append(str(exc))
    if errors:
        raise FaultError("; ".join(errors))


DRIVERS.add("all-of", AllOf.from_spec)
