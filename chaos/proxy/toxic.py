"""The toxic interface, the registry toxics join by name, and a toxic's JSON attributes.

A toxic is a dataclass of integer attributes (the JSON `attributes` object) with one required
method, `pipe`: it receives each chunk flowing through its stream and decides when and how to
hand it on with `forward` (later, sliced, truncated, never). Extra abilities are optional
methods a toxic may define:

    new_state() -> object            per-connection state kept on the stub (limit_data's count)
    async watch(stub) -> None        runs while the toxic is attached to a connection, data or
                                     not (timeout's close timer); cancelled on detach
    async on_close(stub) -> None     runs when the stream's source closes, before the close is
                                     passed on (slow_close's delay)

Each module in `chaos.proxy.toxics` registers its toxic with `@register("name")`.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Protocol

from chaos.proxy.errors import ApiError, Err
from livefire.base.registry import suggest


@dataclasses.dataclass(slots=True)
class Chunk:
    """Bytes read from one side, with the loop time they arrived (latency counts from it)."""

    data: bytes
    arrived: float


Forward = Callable[[Chunk], Awaitable[None]]


class Stub(Protocol):
    """What a toxic may do to the one connection it is piping (one per connection and toxic)."""

    state: Any

    async def until_detached(self, timeout: float | None = None) -> bool:
        """Wait until this toxic is removed or updated on the connection; False on timeout.

        Use it instead of `asyncio.sleep`: once it returns True, forward what is held at once
        (as Toxiproxy does when a toxic is interrupted), so removing a toxic frees its data.
        """

    async def until_removed(self) -> None:
        """Wait until this toxic is removed (or the connection closes); updates do not count."""

    def close(self) -> None:
        """Close the whole connection gracefully once what was forwarded is flushed."""

    def reset(self) -> None:
        """Reset the whole connection (TCP RST): what was not sent is lost."""


class Toxic(abc.ABC):
    """One kind of fault, with its attributes as dataclass fields (all ints, default 0)."""

    type_name: ClassVar[str] = ""

    @abc.abstractmethod
    async def pipe(self, chunk: Chunk, stub: Stub, forward: Forward) -> None:
        """Pass `chunk` on with `forward` (or not); called for every chunk, in order."""

    def validate(self) -> None:  # noqa: B027 - optional hook, nothing to check by default
        """Raise ValueError naming the attribute when the values cannot work together."""

    def attributes(self) -> dict[str, Any]:
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        return {field.name: getattr(self, field.name) for field in fields}

    @classmethod
    def from_attributes(cls, attrs: Any, base: Toxic | None = None) -> Toxic:
        """Build from JSON attributes over `base` (update) or defaults; raise ApiError (400)."""
        if not isinstance(attrs, dict):
            raise ApiError(Err.BAD_REQUEST_BODY, f"attributes: expected an object, got {attrs!r}")
        values = base.attributes() if base is not None else {}
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            if field.name not in attrs:
                continue
            value = attrs[field.name]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                detail = f"attributes.{field.name}: expected an integer >= 0, got {value!r}"
                raise ApiError(Err.BAD_REQUEST_BODY, detail)
            values[field.name] = value
        toxic = cls(**values)
        try:
            toxic.validate()
        except ValueError as exc:
            raise ApiError(Err.BAD_REQUEST_BODY, f"attributes.{exc}") from None
        return toxic


TOXICS: dict[str, type[Toxic]] = {}


def register(name: str) -> Callable[[type[Toxic]], type[Toxic]]:
    """Class decorator: make the toxic available to the API under `name`."""

    def add(cls: type[Toxic]) -> type[Toxic]:
        if name in TOXICS and TOXICS[name] is not cls:
            raise ValueError(f"toxic {name!r} is registered twice: {TOXICS[name]} and {cls}")
        cls.type_name = name
        TOXICS[name] = cls
        return cls

    return add


def toxic_class(name: Any) -> type[Toxic]:
    """The registered toxic called `name`; an unknown name is a 400 naming it and the choices."""
    import chaos.proxy.toxics  # noqa: F401 - registers the built-in toxics

    if isinstance(name, str) and name in TOXICS:
        return TOXICS[name]
    known = sorted(TOXICS)
    hint = suggest(name, known, listing=False)
    raise ApiError(Err.INVALID_TOXIC_TYPE, f"{name!r}{hint} (known: {', '.join(known)})")
