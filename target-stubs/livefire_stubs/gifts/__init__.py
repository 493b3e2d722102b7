"""Gifts: an HTTP API that queues gifts, a worker that charges and books them, a payment stub.

Flow: `POST /gifts` (api) → Redis stream `lf:gifts` → worker (consumer group, at-least-once)
→ `POST /charge` on the payment provider → ledger (Redis stream `lf:ledger`), read back with
`GET /ledger` on the api for reconciliation. A payment timeout leaves the gift `queued`; it is
retried until paid (eventual consistency). Each part is its own process:

    python -m livefire_stubs.gifts.api     --ready-file F --sentinel H:P,.. [--sabotage ..]
    python -m livefire_stubs.gifts.worker  --ready-file F --sentinel H:P,.. --payment-url URL
    python -m livefire_stubs.gifts.payment --ready-file F

The modules' docstrings give the endpoints and flags.
"""
