"""The gift API: accept gifts exactly once per Idempotency-Key, report them, read the ledger.

`python -m livefire_stubs.gifts.api --ready-file F --sentinel H:P[,H:P..] [--port 0]
[--master-name livefire] [--redis-timeout 0.5] [--sabotage no-idempotency|no-replica-reads]`

    POST /gifts        body {"stream", "sender", "amount" (0 < n <= 1e6), ...any extra fields}
                       header Idempotency-Key (required). → 202 {"id", "status",
                       "idempotency_key", "duplicate"}; the same key again → the same id,
                       "duplicate": true; the same key with another body → 422.
    GET  /gifts/{id}   → 200 the gift: {"id", "status": queued|paid|failed, "stream", "sender",
                       "amount", "idempotency_key", "created_at", "applied_at", "charge_id",
                       "attempts", "last_error"}; 404 if unknown.
    GET  /ledger       ?since=UNIX_S (default 0) &after=ENTRY_ID &limit=N (default 1000, max
                       10000) → {"entries": [{"entry", "gift_id", "idempotency_key", "amount",
                       "stream", "sender", "applied_at", "charge_id"}], "next": ENTRY_ID|null};
                       page on with `after=next` until `next` is null.

Errors are JSON `{"error", "status"}`: 400 bad body or key, 404, 422, 503 when Redis cannot be
reached or the gift is not yet on a replica. 202 is answered only once the gift is stored and
queued on the primary and confirmed by the attached replica (`WAIT 1 200`), so a failover after a
202 never loses it; a 503 may leave the gift queued, and a retry with the same key returns it.
With no replica attached (after a failover, until one rejoins) the primary alone is enough.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CollectorRegistry, Counter

from livefire_stubs.component import (
    add_health_and_metrics,
    base_parser,
    errors_as_json,
    json_error,
    serve,
)
from livefire_stubs.gifts.ledger import Ledger, NotReplicatedError
from livefire_stubs.gifts.model import GiftError, parse_gift, parse_key
from livefire_stubs.sabotage import add_sabotage_arg
from livefire_stubs.store import UNAVAILABLE, add_redis_args, store_from_args

LEDGER = web.AppKey("ledger", Ledger)
IDEMPOTENT = web.AppKey("idempotent", bool)
ACCEPTED = web.AppKey("accepted", Counter)


@web.middleware
async def redis_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except UNAVAILABLE as exc:
        return json_error(503, f"gift store unavailable: {exc}")
    except GiftError as exc:
        return json_error(exc.status, str(exc))


async def post_gift(request: web.Request) -> web.Response:
    key = parse_key(request.headers.get("Idempotency-Key"))
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise GiftError("body: not valid JSON") from None
    req = parse_gift(body)
    ledger = request.app[LEDGER]
    try:
        gift_id, duplicate = await ledger.enqueue(req, key, request.app[IDEMPOTENT])
    except KeyError as exc:
        raise GiftError(f"Idempotency-Key {key!r} was used for another gift {exc}", 422) from None
    except NotReplicatedError:
        message = "gift not yet replicated; retry with the same Idempotency-Key"
        return json_error(503, message)
    request.app[ACCEPTED].labels(str(duplicate).lower()).inc()
    gift = await ledger.get(gift_id) if duplicate else None
    status = gift.status if gift else "queued"
    body = {"id": gift_id, "status": status, "idempotency_key": key, "duplicate": duplicate}
    return web.json_response(body, status=202, headers={"Location": f"/gifts/{gift_id}"})


async def get_gift(request: web.Request) -> web.Response:
    gift = await request.app[LEDGER].get(request.match_info["id"])
    if gift is None:
        return json_error(404, f"no gift {request.match_info['id']!r}")
    return web.json_response(gift.as_json())


def _query_number(request: web.Request, name: str, default: float, high: float) -> float:
    raw = request.query.get(name)
    try:
        value = float(raw) if raw is not None else default
    except ValueError:
        raise GiftError(f"{name}: expected a number, got {raw!r}") from None
    if not 0 <= value <= high:
        raise GiftError(f"{name}: expected 0 <= {name} <= {high:g}, got {raw}")
    return value


async def get_ledger(request: web.Request) -> web.Response:
    since = _query_number(request, "since", 0, 1e11)
    limit = int(_query_number(request, "limit", 1000, 10000)) or 1
    after = request.query.get("after")
    if after is not None and not after.replace("-", "").isdigit():
        raise GiftError(f"after: expected a ledger entry id like 1700000000000-0, got {after!r}")
    entries = await request.app[LEDGER].entries(since, after, limit)
    next_id = entries[-1]["entry"] if len(entries) == limit else None
    return web.json_response({"entries": entries, "next": next_id})


async def main() -> None:
    parser = base_parser("gifts.api")
    add_redis_args(parser)
    add_sabotage_arg(parser)
    args = parser.parse_args()
    store = store_from_args(args)
    registry = CollectorRegistry()
    app = web.Application(middlewares=[errors_as_json, redis_errors])
    app[LEDGER] = Ledger(store)
    app[IDEMPOTENT] = "no-idempotency" not in args.sabotage
    app[ACCEPTED] = Counter(
        "gifts_accepted", "POST /gifts answered 202", ["duplicate"], registry=registry
    )
    add_health_and_metrics(app, registry)
    app.router.add_post("/gifts", post_gift)
    app.router.add_get("/gifts/{id}", get_gift)
    app.router.add_get("/ledger", get_ledger)
    try:
        await serve(app, args)
    finally:
        await store.aclose()


if __name__ == "__main__":
    asyncio.run(main())
