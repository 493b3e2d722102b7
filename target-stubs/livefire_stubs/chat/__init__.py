"""Chat nodes: WebSocket rooms per stream, fanned out across nodes through Redis pub/sub.

Run: `python -m livefire_stubs.chat --ready-file F --sentinel H:P[,H:P..] [--ws-port 0]
[--port 0] [--name chat-1] [--master-name livefire]`. The WebSocket server listens on
`--ws-port`; `/healthz` and `/metrics` are on a separate aiohttp port (`--port`). The ready
file adds `ws_url` (`ws://127.0.0.1:PORT`) to `name`, `pid`, `url`.

Protocol (JSON text frames; any path):

    client → node   {"type": "join", "room": R, "user": U}
    node → client   {"type": "joined", "room": R, "user": U, "node": NODE}
    client → node   {"type": "leave", "room": R}            → {"type": "left", "room": R}
    client → node   {"type": "msg", "id": ID, "room": R, "sender": U, "sent_at": T, "text"?: S}
    node → members  {"type": "msg", "id", "room", "sender", "sent_at", "text",
                     "node": NODE_THAT_RECEIVED_IT, "server_at": UNIX_SECONDS}
    node → client   {"type": "error", "error": WHY, "status": 400|403|503, "id"?: ID}

`sent_at` and `server_at` are Unix seconds (floats). A message reaches every member of the room
on every node, the sender included (its echo gives a round-trip time). Only a member of the
room may send to it (else 403). A malformed frame gets an error frame with status 400 and the
connection stays open. If Redis cannot take the message the sender gets status 503 with the
message id: treat the message as not delivered (a timeout cannot tell). Messages published while
a node is re-subscribing after a Redis failover are lost for its members; that is the loss the
chat-delivery SLI measures.
"""
