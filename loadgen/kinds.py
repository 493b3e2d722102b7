"""The kinds of simulated user, named once: the scenario's `load.users` key → the Locust user
class in `loadgen.users` that plays it. Free of Locust, so the scenario and the conductor can
read it without importing gevent."""

from __future__ import annotations

USER_KINDS: dict[str, str] = {
    "viewer": "Viewer",  # pulls HLS, plays it through the player-buffer model
    "creator": "Creator",  # pushes a stream to ingest
    "chatter": "Chatter",  # joins a chat room over WebSocket, sends and receives
    "gifter": "Gifter",  # sends gifts over HTTP, journals every acknowledgement
    "searcher": "Searcher",  # live-stream discovery searches
}
