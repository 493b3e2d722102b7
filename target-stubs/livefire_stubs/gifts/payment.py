"""The payment-provider stub: idempotent charges, with a latency knob to make them time out.

`python -m livefire_stubs.gifts.payment --ready-file F [--port 0] [--latency-ms 0]
[--decline-over 100000]`

    POST /charge        header Idempotency-Key (required), body {"amount": n > 0, ...} →
                        200 {"charge_id", "amount", "replayed": bool}; the same key again → the
                        same charge ("replayed": true), never a second one; the same key with
                        another amount → 422; amount > --decline-over → 402 declined.
    GET  /charges       → {"count": N, "charges": [{"charge_id", "key", "amount", "at"}]}
    POST /admin/latency {"ms": N} → every later charge answers N ms late (0 restores).

A charge is recorded *before* the latency is served, like a real provider whose reply is lost
after it charged: a client that times out and retries must send the same key. State is in
memory: a restart forgets charges (the worker's ledger, not this stub, is the record).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter

from livefire_stubs.component import (
    add_health_and_metrics,
    base_parser,
    errors_as_json,
    json_error,
    serve,
)


@dataclass
class Provider:
    latency_s: float = 0.0
    decline_over: float = 100_000
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)


PROVIDER = web.AppKey("provider", Provider)
CHARGES = web.AppKey("charges", Counter)


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(reason="body: expected a JSON object")
    return body


async def charge(request: web.Request) -> web.Response:
    provider = request.app[PROVIDER]
    key = request.headers.get("Idempotency-Key")
    if not key:
        return json_error(400, "Idempotency-Key header: required")
    body = await _json_object(request)
    amount = body.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not amount > 0:
        return json_error(400, f"amount: expected a positive number, got {amount!r}"[:120])
    if amount > provider.decline_over:
        return json_error(402, f"declined: amount {amount} over {provider.decline_over:g}")
    existing = provider.charges.get(key)
    if existing and existing["amount"] != amount:
        return json_error(422, f"Idempotency-Key {key!r} was used for amount {existing['amount']}")
    replayed = existing is not None
    if not existing:
        existing = {"charge_id": uuid.uuid4().hex, "key": key, "amount": amount, "at": time.time()}
        provider.charges[key] = existing
    request.app[CHARGES].labels(str(replayed).lower()).inc()
    if provider.latency_s:
        await asyncio.sleep(provider.latency_s)
    reply = {"charge_id": existing["charge_id"], "amount": amount, "replayed": replayed}
    return web.json_response(reply)


async def list_charges(request: web.Request) -> web.Response:
    charges = list(request.app[PROVIDER].charges.values())
    return web.json_response({"count": len(charges), "charges": charges})


async def set_latency(request: web.Request) -> web.Response:
    ms = (await _json_object(request)).get("ms")
    if isinstance(ms, bool) or not isinstance(ms, int | float) or not 0 <= ms <= 600_000:
        return json_error(400, f"ms: expected 0 <= ms <= 600000, got {ms!r}"[:120])
    request.app[PROVIDER].latency_s = ms / 1000
    return web.json_response({"latency_ms": ms})


async def main() -> None:
    parser = base_parser("gifts.payment")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--decline-over", type=float, default=100_000)
    args = parser.parse_args()
    registry = CollectorRegistry()
    app = web.Application(middlewares=[errors_as_json])
    app[PROVIDER] = Provider(args.latency_ms / 1000, args.decline_over)
    app[CHARGES] = Counter("payment_charges", "charges answered", ["replayed"], registry=registry)
    add_health_and_metrics(app, registry)
    app.router.add_post("/charge", charge)
    app.router.add_get("/charges", list_charges)
    app.router.add_post("/admin/latency", set_latency)
    await serve(app, args)


if __name__ == "__main__":
    asyncio.run(main())
