"""A half-close towards a peer that is already gone aborts the connection, not the loop."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from chaos.proxy.link import Link
from chaos.proxy.spec import Stream


class GoneTransport:
    def is_closing(self) -> bool:
        return False

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        raise OSError(107, "Transport endpoint is not connected")


async def _send_eof_to_a_vanished_peer() -> list[str]:
    calls: list[str] = []
    conn: Any = SimpleNamespace(abort=lambda: calls.append("abort"), link_done=calls.append)
    link = Link(conn, Stream.UPSTREAM, [0, 0])
    link.sink = SimpleNamespace(transport=GoneTransport())  # type: ignore[assignment]
    link._send_eof()
    assert link.eof_sent
    return calls


def test_eof_to_a_vanished_peer_aborts_the_connection() -> None:
    assert asyncio.run(_send_eof_to_a_vanished_peer()) == ["abort"]
