"""The gifts' state in Redis: gift records, the work queue and the ledger.

Keys (prefix `lf:`): `lf:gift:{id}` hash (the gift and its status), `lf:gift-key:{key}` → id
(idempotency), `lf:gifts` stream (the queue, group `gift-workers`, entries `{gift_id}`),
`lf:ledger` stream (one entry per applied gift) and `lf:ledger:applied` set (applied ids).
Enqueue and apply are Lua scripts, so each is atomic: a key maps to one gift, a gift is
applied once, whatever the retries and redeliveries.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from livefire_stubs.gifts.model import Gift, GiftRequest
from livefire_stubs.store import Store

__all__ = ["GROUP", "LEDGER", "QUEUE", "Ledger", "NotReplicatedError"]

QUEUE = "lf:gifts"
GROUP = "gift-workers"
LEDGER = "lf:ledger"
APPLIED = "lf:ledger:applied"

ENQUEUE = """
if ARGV[3] == '1' then
  local existing = redis.call('GET', KEYS[1])
  if existing then
    -- A write, so the caller's WAIT covers the original gift too (replication is ordered).
    redis.call('HINCRBY', 'lf:gift:' .. existing, 'posts', 1)
    return {existing, redis.call('HGET', 'lf:gift:' .. existing, 'fingerprint') or ''}
  end
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('HSET', KEYS[2], unpack(cjson.decode(ARGV[4])))
redis.call('XADD', KEYS[3], '*', 'gift_id', ARGV[1])
return {ARGV[1], ARGV[2], 'new'}
"""

APPLY = """
if ARGV[2] == '1' and redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
if ARGV[3] == '1' then redis.call('XADD', KEYS[2], '*', unpack(cjson.decode(ARGV[4]))) end
redis.call('HSET', KEYS[3], 'status', 'paid', 'applied_at', ARGV[5], 'charge_id', ARGV[6])
return 1
"""


class NotReplicatedError(RuntimeError):
    """The gift is stored and queued on the primary, but its attached replica has not confirmed
    it: not durable yet, so not acknowledged. A retry with the same key is safe."""


def _flat(fields: dict[str, Any]) -> str:
    return json.dumps([str(x) for kv in fields.items() for x in kv])


def gift_from_hash(data: dict[str, str]) -> Gift:
    return Gift(
        id=data["id"],
        idempotency_key=data["idempotency_key"],
        stream=data["stream"],
        sender=data["sender"],
        amount=json.loads(data["amount"]),
        status=data["status"],
        created_at=float(data["created_at"]),
        applied_at=float(data["applied_at"]) if data.get("applied_at") else None,
        charge_id=data.get("charge_id") or None,
        attempts=int(data.get("attempts", 0)),
        last_error=data.get("last_error") or None,
    )


class Ledger:
    """Gift records, queue and ledger over one Store (writes: primary; reads: Store.read)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._enqueue = store.primary.register_script(ENQUEUE)
        self._apply = store.primary.register_script(APPLY)

    async def enqueue(self, req: GiftRequest, key: str, idempotent: bool) -> tuple[str, bool]:
        """Store and queue a gift; returns (gift id, duplicate?). Raises KeyError on a key reuse
        with a different body, NotReplicatedError if a replica is attached but has not confirmed
        the gift within 200 ms (WAIT shares the script's connection, as it must). With no
        replica attached at all (after a failover, until one returns) the gift is accepted on
        the primary alone."""
        gift_id = uuid.uuid4().hex
        fields: dict[str, Any] = {"id": gift_id, "idempotency_key": key, "stream": req.stream}
        fields |= {"sender": req.sender, "amount": json.dumps(req.amount), "status": "queued"}
        fields |= {"created_at": repr(time.time()), "attempts": 0, "fingerprint": req.fingerprint()}
        fields |= {"extra": json.dumps(req.extra)}
        keys = [f"lf:gift-key:{key}", f"lf:gift:{gift_id}", QUEUE]
        flag = "1" if idempotent else "0"
        async with self.store.primary.pipeline(transaction=False) as pipe:
            args = [gift_id, req.fingerprint(), flag, _flat(fields)]
            await self._enqueue(keys=keys, args=args, client=pipe)
            pipe.wait(1, 200)
            pipe.execute_command("ROLE")
            reply, confirmed, role = await pipe.execute()
        if confirmed < 1 and role[0] == "master" and role[2]:
            raise NotReplicatedError(reply[0])
        got_id, fingerprint = reply[0], reply[1]
        if fingerprint != req.fingerprint():
            raise KeyError(got_id)
        return got_id, len(reply) < 3

    async def get(self, gift_id: str, primary: bool = False) -> Gift | None:
        """The gift; `primary` for a worker, which must never act on a stale replica's view."""
        key = f"lf:gift:{gift_id}"
        if primary:
            data: Any = await self.store.primary.hgetall(key)
        else:
            data = await self.store.read(lambda r: r.hgetall(key))
        return gift_from_hash(data) if data else None

    async def entries(self, since: float, after: str | None, limit: int) -> list[dict[str, Any]]:
        """Ledger entries applied at or after `since` (Unix s), or strictly after entry `after`."""
        start = f"({after}" if after else f"{int(since * 1000)}-0"
        rows: list[Any] = await self.store.read(lambda r: r.xrange(LEDGER, start, "+", count=limit))
        return [{"entry": entry_id, **decode_entry(fields)} for entry_id, fields in rows]

    async def apply(self, gift: Gift, charge_id: str, check: bool, record: bool) -> bool:
        """Write the gift to the ledger and mark it paid, once (unless `check` is off)."""
        now = time.time()
        entry = {"gift_id": gift.id, "idempotency_key": gift.idempotency_key}
        entry |= {"amount": json.dumps(gift.amount), "stream": gift.stream}
        entry |= {"sender": gift.sender, "applied_at": repr(now), "charge_id": charge_id}
        keys = [APPLIED, LEDGER, f"lf:gift:{gift.id}"]
        args = [gift.id, int(check), int(record), _flat(entry), repr(now), charge_id]
        return bool(await self._apply(keys=keys, args=[str(a) for a in args]))

    async def note(self, gift_id: str, attempt: bool = False, **fields: str) -> None:
        """Record progress on a gift (status, last_error); `attempt` counts a payment round."""
        async with self.store.primary.pipeline(transaction=True) as pipe:
            if attempt:
                pipe.hincrby(f"lf:gift:{gift_id}", "attempts", 1)
            if fields:
                pipe.hset(f"lf:gift:{gift_id}", mapping=dict[Any, Any](fields))
            await pipe.execute()


def decode_entry(fields: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = dict(fields)
    out["amount"] = json.loads(fields["amount"])
    out["applied_at"] = float(fields["applied_at"])
    return out
