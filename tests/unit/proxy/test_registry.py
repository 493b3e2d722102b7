"""The toxic registry and the API error table (no sockets)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from chaos.proxy.errors import ApiError, Err
from chaos.proxy.toxic import TOXICS, Chunk, Forward, Stub, Toxic, register, toxic_class

BUILT_IN = {"bandwidth", "latency", "limit_data", "reset_peer", "slicer", "slow_close", "timeout"}


def test_every_built_in_toxic_registers_itself() -> None:
    toxic_class("latency")  # imports the built-ins
    assert set(TOXICS) >= BUILT_IN
    for name in BUILT_IN:
        assert TOXICS[name].type_name == name


def test_a_second_toxic_under_a_taken_name_is_refused() -> None:
    toxic_class("latency")

    with pytest.raises(ValueError, match="'latency' is registered twice"):

        @register("latency")
        @dataclass(frozen=True)
        class Impostor(Toxic):
            async def pipe(self, chunk: Chunk, stub: Stub, forward: Forward) -> None:
                await forward(chunk)


def test_error_table_is_unique_and_answers_json() -> None:
    messages = [kind.message for kind in Err]
    assert len(messages) == len(set(messages))
    assert ApiError(Err.PROXY_NOT_FOUND, "redis").body() == {
        "error": "proxy not found: redis",
        "status": 404,
    }
    assert ApiError(Err.TOXIC_EXISTS).body() == {"error": "toxic already exists", "status": 409}
