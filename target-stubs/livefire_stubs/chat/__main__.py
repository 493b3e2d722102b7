"""`python -m livefire_stubs.chat`: one chat node process (protocol in the package docstring)."""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web
from prometheus_client import CollectorRegistry
from websockets.asyncio.server import serve as ws_serve

from livefire_stubs.chat.node import ChatNode
from livefire_stubs.component import add_health_and_metrics, base_parser, serve
from livefire_stubs.sabotage import add_sabotage_arg
from livefire_stubs.store import add_redis_args, store_from_args


async def main() -> None:
    parser = base_parser("chat")
    parser.add_argument("--ws-port", type=int, default=0, help="WebSocket port (0: free port)")
    add_redis_args(parser)
    add_sabotage_arg(parser)
    args = parser.parse_args()
    store = store_from_args(args)
    registry = CollectorRegistry()
    node = ChatNode(args.name, store, registry)
    app = web.Application()
    add_health_and_metrics(app, registry)
    async with ws_serve(node.handle, args.host, args.ws_port, max_size=65536) as server:
        ws_port = server.sockets[0].getsockname()[1]
        relay = asyncio.create_task(node.relay())
        try:
            # Members must not join a node that cannot hear the other nodes yet.
            await asyncio.wait_for(node.subscribed.wait(), 15)
            await serve(app, args, {"ws_url": f"ws://{args.host}:{ws_port}"})
        finally:
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay
            await store.aclose()


if __name__ == "__main__":
    asyncio.run(main())
