"""Locust's web UI under livefire (`--web`): for watching the requests, never for steering.

The scenario's shape sets the users and its duration ends the test; the conductor judges a
run against exactly that. So every control the UI offers — start or edit a swarm, stop,
reset the statistics, change a user class — is a POST, and every POST is refused with 403
and a message saying why, while every page and statistic stays readable.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

REFUSAL = (
    "livefire's conductor owns this test: the scenario's shape sets the users and its duration "
    "ends it (stop a game day with Ctrl-C on livefire)"
)


def read_only(web_ui: Any) -> None:
    """Refuse every control request of Locust's `web_ui` (a locust.web.WebUI)."""

    @web_ui.app.before_request
    def refuse_controls() -> Any:
        if request.method == "POST":
            response = jsonify({"success": False, "message": REFUSAL})
            response.status_code = 403
            return response
        return None
