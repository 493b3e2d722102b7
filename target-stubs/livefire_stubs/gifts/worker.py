"""The gift worker: takes queued gifts, charges them, books them in the ledger exactly once.

`python -m livefire_stubs.gifts.worker --ready-file F --sentinel H:P[,H:P..]
--payment-url URL [--payment-timeout 1.0] [--payment-attempts 3] [--claim-idle-ms 5000]
[--port 0] [--name gifts.worker] [--sabotage lossy-ledger|no-idempotency|no-payment-retry]`

The ready file adds `consumer` (its consumer name in group `gift-workers`) and `payment_url`.
Delivery is at-least-once: an entry is acknowledged only after its gift is booked (or declined).
A payment timeout, error or 5xx is retried `--payment-attempts` times, then the gift stays
`queued` and un-acknowledged; any worker claims it again once it has been idle
`--claim-idle-ms` (XAUTOCLAIM), which is also how a killed worker's gifts are taken over.
Booking is atomic and checks the applied set, so redelivery never books a gift twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter
from redis.exceptions import ResponseError

from livefire_stubs.component import add_health_and_metrics, base_parser, errors_as_json, serve
from livefire_stubs.gifts.ledger import GROUP, QUEUE, Ledger
from livefire_stubs.gifts.model import Gift
from livefire_stubs.sabotage import add_sabotage_arg
from livefire_stubs.store import UNAVAILABLE, add_redis_args, store_from_args

log = logging.getLogger(__name__)

LOSE_EVERY = 20
"""With the lossy-ledger sabotage, every 20th paid gift is acknowledged but never booked."""


@dataclass(frozen=True)
class WorkerOptions:
    payment_url: str
    payment_timeout: float = 1.0
    payment_attempts: int = 3
    claim_idle_ms: int = 5000
    batch: int = 16
    block_ms: int = 200
    """How long XREADGROUP waits for new gifts; kept under the Redis socket timeout."""
    check_applied: bool = True
    lose_every: int = 0
    give_up_unpaid: bool = False
    """The no-payment-retry sabotage: a gift whose payment got no answer is failed and dropped."""


@dataclass(frozen=True)
class Charge:
    """What the payment provider said: paid (charge_id), declined, or no answer (retry)."""

    outcome: str  # "paid" | "declined" | "unavailable"
    detail: str


class Worker:
    def __init__(self, ledger: Ledger, consumer: str, opts: WorkerOptions, reg: CollectorRegistry):
        self.ledger = ledger
        self.redis = ledger.store.primary
        self.consumer = consumer
        self.opts = opts
        self.processed = 0
        self.outcomes = Counter("gifts_processed", "gifts by outcome", ["outcome"], registry=reg)
        self.retries = Counter("gifts_payment_retries", "payment calls retried", registry=reg)

    async def run(self) -> None:
        """Process gifts until cancelled, riding out Redis failovers."""
        cursor, backoff, grouped = "0-0", 0.1, False
        async with aiohttp.ClientSession() as session:
            while True:
                try:
                    if not grouped:
                        await self._ensure_group()
                        grouped = True
                    cursor = await self._round(session, cursor)
                    backoff = 0.1
                    continue
                except (*UNAVAILABLE, ResponseError) as exc:
                    grouped = False  # NOGROUP after a flush or a failover to a stale replica
                    log.warning("gift worker: Redis trouble (%s); retrying", exc)
                except Exception:  # a bad entry must not stop the worker for good
                    log.exception("gift worker: round failed; retrying")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 1.0)

    async def _ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(QUEUE, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _round(self, session: aiohttp.ClientSession, cursor: str) -> str:
        """Claim idle gifts of dead or failed rounds, read new ones, process them together."""
        claimed = await self.redis.xautoclaim(
            QUEUE, GROUP, self.consumer, self.opts.claim_idle_ms, cursor, count=self.opts.batch
        )
        cursor, entries = claimed[0], list(claimed[1])
        fresh: Any = await self.redis.xreadgroup(
            GROUP, self.consumer, {QUEUE: ">"}, count=self.opts.batch, block=self.opts.block_ms
        )
        for _stream, rows in fresh or []:
            entries += rows
        await asyncio.gather(*(self._process(session, eid, f) for eid, f in entries if f))
        return cursor

    async def _process(self, session: aiohttp.ClientSession, entry: str, fields: dict) -> None:
        gift = await self.ledger.get(fields.get("gift_id", ""), primary=True)
        if gift is None or (gift.status != "queued" and self.opts.check_applied):
            await self.redis.xack(QUEUE, GROUP, entry)
            self.outcomes.labels("skipped").inc()
            return
        await self.ledger.note(gift.id, attempt=True)
        charge = await self._charge(session, gift)
        if charge.outcome == "unavailable" and self.opts.give_up_unpaid:
            await self.ledger.note(gift.id, status="failed", last_error=charge.detail)
            charge = Charge("dropped", charge.detail)
        elif charge.outcome == "unavailable":
            await self.ledger.note(gift.id, last_error=charge.detail)
        elif charge.outcome == "declined":
            await self.ledger.note(gift.id, status="failed", last_error=charge.detail)
        else:
            self.processed += 1
            lose = self.opts.lose_every and self.processed % self.opts.lose_every == 0
            booked = await self.ledger.apply(gift, charge.detail, self.opts.check_applied, not lose)
            charge = Charge("lost" if lose else "paid" if booked else "already-booked", "")
        if charge.outcome != "unavailable":
            await self.redis.xack(QUEUE, GROUP, entry)
        self.outcomes.labels(charge.outcome).inc()

    async def _charge(self, session: aiohttp.ClientSession, gift: Gift) -> Charge:
        """Charge with the gift's own key (a retry never charges twice); retry on no answer."""
        url = self.opts.payment_url.rstrip("/") + "/charge"
        timeout = aiohttp.ClientTimeout(total=self.opts.payment_timeout)
        headers = {"Idempotency-Key": f"gift-{gift.id}"}
        body = {"amount": gift.amount, "gift_id": gift.id, "stream": gift.stream}
        reason = "not tried"
        for attempt in range(self.opts.payment_attempts):
            try:
                async with session.post(url, json=body, headers=headers, timeout=timeout) as resp:
                    if resp.status == 200:
                        return Charge("paid", str((await resp.json())["charge_id"]))
                    text = (await resp.text())[:200]
                    if 400 <= resp.status < 500 and resp.status not in (408, 429):
                        return Charge("declined", f"payment answered {resp.status}: {text}")
                    reason = f"payment answered {resp.status}: {text}"
            except (TimeoutError, aiohttp.ClientError, ValueError, KeyError) as exc:
                reason = f"payment unreachable: {exc!r}"
            self.retries.inc()
            await asyncio.sleep(min(0.1 * 2**attempt, 1.0))
        return Charge("unavailable", reason)


async def main() -> None:
    parser = base_parser("gifts.worker")
    parser.add_argument("--payment-url", required=True, help="payment provider base URL")
    parser.add_argument("--payment-timeout", type=float, default=1.0, help="seconds per call")
    parser.add_argument("--payment-attempts", type=int, default=3)
    parser.add_argument("--claim-idle-ms", type=int, default=5000)
    add_redis_args(parser)
    add_sabotage_arg(parser)
    args = parser.parse_args()
    give_up = "no-payment-retry" in args.sabotage
    opts = WorkerOptions(
        args.payment_url,
        args.payment_timeout,
        1 if give_up else max(1, args.payment_attempts),
        args.claim_idle_ms,
        block_ms=max(1, min(200, int(args.redis_timeout * 500))),
        check_applied="no-idempotency" not in args.sabotage,
        lose_every=LOSE_EVERY if "lossy-ledger" in args.sabotage else 0,
        give_up_unpaid=give_up,
    )
    store = store_from_args(args)
    registry = CollectorRegistry()
    consumer = f"{args.name}-{os.getpid()}"
    worker = Worker(Ledger(store), consumer, opts, registry)
    app = web.Application(middlewares=[errors_as_json])
    add_health_and_metrics(app, registry)
    extra = {"consumer": consumer, "payment_url": args.payment_url}
    try:
        await serve(app, args, extra, background=worker.run)
    finally:
        await store.aclose()


if __name__ == "__main__":
    asyncio.run(main())
